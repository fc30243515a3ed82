"""Delete for good the files and folders that went to the trash more than FILES_TRASH_DAYS
days ago (30 by default), freeing their drives' quota. Run once a day (cron)."""

from django.core.management.base import BaseCommand

from files import tasks


class Command(BaseCommand):
    help = "Delete for good what went to the files' trash more than FILES_TRASH_DAYS days ago."

    def handle(self, *args, **options):
        count = tasks.run()["trash_purged"]
        self.stdout.write(f"Files deleted for good from the trash: {count}")
