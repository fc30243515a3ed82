"""The periodic work of the workshops (offers that expire, unconfirmed registrations,
reminders, workshops held, evaluation requests). Run every 15 minutes (cron)."""

from django.core.management.base import BaseCommand

from workshops import tasks


class Command(BaseCommand):
    help = ("Expire the offered places, drop the unconfirmed registrations, send the reminders, mark "
            "the workshops held and send the evaluation requests; never twice.")

    def handle(self, *args, **options):
        for name, count in tasks.run().items():
            self.stdout.write(f"{name.replace('_', ' ')}: {count}")
