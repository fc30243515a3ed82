from django.core.management.base import BaseCommand

from core.services import notification_digests_send


class Command(BaseCommand):
    help = "E-mail the daily digest of unread notifications (run once a day from cron)."

    def handle(self, *args, **options):
        sent = notification_digests_send()
        self.stdout.write(f"{sent} digest(s) sent.")
