"""`python manage.py import_venues FILE.csv [--dry-run] [--territory SLUG] [--as EMAIL]`."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.opendata import venues_import


class Command(BaseCommand):
    help = (
        "Import venues from a CSV file of the national schema « Lieux de médiation numérique »: "
        "known ids are updated, others created. Each row is saved alone; invalid rows are reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8, columns of the national schema).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, save nothing.")
        parser.add_argument("--territory", metavar="SLUG", help="Territory of the new venues (its slug).")
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help="Import as this account (its rights apply; revisions name it). Default: no author, every right.",
        )

    def handle(self, *args, file, dry_run, territory, as_email, **options):
        from members.models import Territory, User

        actor = None
        if as_email:
            actor = User.objects.filter(email__iexact=as_email.strip()).first()
            if actor is None:
                raise CommandError(_("No account has the e-mail address %(email)s.") % {"email": as_email})
        territory_obj = None
        if territory:
            territory_obj = Territory.objects.filter(slug=territory).first()
            if territory_obj is None:
                raise CommandError(_("No territory has the slug « %(slug)s ».") % {"slug": territory})
        try:
            with open(file, "rb") as handle:
                report = venues_import(actor=actor, file=handle, territory=territory_obj, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror or exc})
        except PermissionDenied as exc:
            raise CommandError(str(exc))

        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if report.errors:
            raise CommandError(" ".join(report.errors))
        for row in report.rows:
            line = row.summary()
            if row.ok:
                self.stdout.write(line)
            else:
                self.stdout.write(self.style.ERROR(line))
        self.stdout.write(report.totals_text())
        if report.failed:
            raise CommandError(
                ngettext(
                    "%(count)d row could not be imported: see the errors above.",
                    "%(count)d rows could not be imported: see the errors above.",
                    report.failed,
                )
                % {"count": report.failed}
            )
