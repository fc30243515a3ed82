from django.core.management.base import BaseCommand

from chat import services


class Command(BaseCommand):
    help = ("Forget the chat sockets that stopped reporting (a server process that died) and set their "
            "members offline. Run it every few minutes (cron).")

    def handle(self, *args, **options):
        count = services.presence_sweep()
        self.stdout.write(f"Presence: {count} member(s) updated.")
