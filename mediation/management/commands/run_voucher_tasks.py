"""The periodic work of vouchers: warn of the vouchers that expire soon, expire those past
their grace period. Run daily (cron); safe to run twice, never sends twice."""

from django.core.management.base import BaseCommand

from mediation import tasks


class Command(BaseCommand):
    help = ("Warn the prescribers of the vouchers whose validity ends within VOUCHER_WARNING_DAYS days, "
            "and expire the vouchers past their grace period; never twice.")

    def handle(self, *args, **options):
        for name, count in tasks.run().items():
            self.stdout.write(f"{name.replace('_', ' ')}: {count}")
