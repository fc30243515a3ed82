"""The periodic work of equipment lending (offers that expire, pick-up and return reminders,
overdue notices). Run every hour, or at least daily (cron); never sends twice."""

from django.core.management.base import BaseCommand

from lending import tasks


class Command(BaseCommand):
    help = ("Expire the offers of freed periods, send the pick-up and return reminders and the overdue "
            "notices of equipment loans; never twice.")

    def handle(self, *args, **options):
        for name, count in tasks.run().items():
            self.stdout.write(f"{name.replace('_', ' ')}: {count}")
