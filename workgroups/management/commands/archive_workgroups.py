"""Archive the workgroups whose end date has passed. Run daily (cron), after midnight."""

from django.core.management.base import BaseCommand

from workgroups.services import workgroups_archive_expired


class Command(BaseCommand):
    help = "Archive the workgroups whose end date has passed (read-only; nothing is deleted)."

    def handle(self, *args, **options):
        archived = workgroups_archive_expired()
        self.stdout.write(f"{len(archived)} workgroup(s) archived.")
