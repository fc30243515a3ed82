from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from calendar_app import demo as calendar_demo
from chat import demo as chat_demo
from directory import demo as directory_demo
from files import demo as files_demo
from forum import demo as forum_demo
from lending import demo as lending_demo
from mediation import demo as mediation_demo
from members import demo
from resources import demo as resources_demo
from website import demo as website_demo
from workgroups import demo as workgroups_demo
from workshops import demo as workshops_demo


class Command(BaseCommand):
    """The demo of every app, in the order they depend on each other (the project orchestrates)."""

    help = "Create the fictional demo network and its accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Add the demo even if other accounts exist.")

    def handle(self, *args, force, **options):
        try:
            with transaction.atomic():
                demo.seed(make_venues=directory_demo.seed_venues, force=force, log=self.stdout.write)
                workgroups_demo.seed(log=self.stdout.write)
                forum_demo.seed(log=self.stdout.write)
                chat_demo.seed(log=self.stdout.write)
                website_demo.seed_public_site(log=self.stdout.write)
                calendar_demo.seed(log=self.stdout.write)
                workshops_demo.seed(log=self.stdout.write)
                lending_demo.seed(log=self.stdout.write)
                files_demo.seed(log=self.stdout.write)
                resources_demo.seed(log=self.stdout.write)
                mediation_demo.seed(log=self.stdout.write)
        except demo.DemoRefused as exc:
            raise CommandError(str(exc)) from None
