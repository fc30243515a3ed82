from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0007_one_network_space")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="onboarding_dismissed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="getting started list hidden at"),
        ),
    ]
