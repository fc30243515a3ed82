"""Erase the first name and commune of the beneficiaries of vouchers ended more than
VOUCHER_RETENTION_DAYS days ago (counts and statements are kept). Run daily (cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from mediation.purge import purge_beneficiaries


class Command(BaseCommand):
    help = ("Erase the beneficiary data (first name, commune) of vouchers ended more than "
            "VOUCHER_RETENTION_DAYS days ago; counts are kept.")

    def handle(self, *args, **options):
        count = purge_beneficiaries()
        days = settings.VOUCHER_RETENTION_DAYS
        self.stdout.write(f"{count} ticket(s) effacé(s) (terminés depuis plus de {days} jours).")
