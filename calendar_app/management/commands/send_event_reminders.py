"""Send the reminders of the events starting soon. Run every 5 minutes (cron)."""

from django.core.management.base import BaseCommand

from calendar_app.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders (in the app and by e-mail) of the events starting soon; never twice."

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
