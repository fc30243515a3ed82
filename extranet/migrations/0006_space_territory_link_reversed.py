"""The link between a territory and its space moves to the territory's side (step 1 of 3).

Space.territory stops claiming the `space` name on Territory, so that members 0005 can
add Territory.space (the owner of a kind points to its space, as Workgroup.space does).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("extranet", "0005_dashboard_layout"), ("members", "0004_follow")]

    operations = [
        migrations.AlterField(
            model_name="space",
            name="territory",
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                       related_name="+", to="members.territory"),
        ),
    ]
