"""Blank the details of the people who registered to a workshop without an account, once the
retention period is over (settings.WORKSHOP_RETENTION_DAYS). Run daily (cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from workshops.purge import registrants_purge


class Command(BaseCommand):
    help = ("Anonymise the visitor and on-site registrations of sessions over for more than "
            "WORKSHOP_RETENTION_DAYS days (counts, attendance and evaluations are kept).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be anonymised.")

    def handle(self, *args, dry_run, **options):
        count = registrants_purge(dry_run=dry_run)
        days = settings.WORKSHOP_RETENTION_DAYS
        if dry_run:
            self.stdout.write(f"{count} registration(s) would be anonymised (sessions over for more than {days} days).")
        else:
            self.stdout.write(f"{count} registration(s) anonymised (sessions over for more than {days} days).")
