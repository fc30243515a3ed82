"""Make the activity record of every workshop date whose attendance sheet was filled in
before records existed (then kept in step by mediation.activity on each save). Idempotent."""

from typing import Any

from django.core.management.base import BaseCommand

from mediation.activity import sessions_sync


class Command(BaseCommand):
    help = "Create or update the collective activity record of every workshop date with an attendance sheet."

    def handle(self, *args: Any, **options: Any) -> None:
        kept, empty = sessions_sync()
        self.stdout.write(f"{kept} activity record(s) in step with their attendance sheet; "
                          f"{empty} date(s) without anyone present.")
