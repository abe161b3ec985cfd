"""Build or update the civil and public-security trees from the official list of administrative divisions."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from org_hierarchy.divisions import DivisionDataError, official_list, read_flat_file
from org_hierarchy.models import Branch
from org_hierarchy.services import divisions_import


class Command(BaseCommand):
    help = _("Import the official administrative divisions into the civil and public-security trees.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            help=_("A later edition of the list in the package's flat JSON format (default: the installed package)."),
        )

    def handle(self, *args, file=None, **options):
        try:
            divisions = read_flat_file(file) if file else official_list()
            reports = divisions_import(divisions=divisions)
        except DivisionDataError as exc:
            raise CommandError(str(exc)) from exc
        for report in reports:
            self.stdout.write(
                _(
                    "%(branch)s: %(created)d created, %(updated)d updated, %(deactivated)d deactivated, "
                    "%(unchanged)d unchanged"
                )
                % {
                    "branch": Branch(report.branch).label,
                    "created": report.created,
                    "updated": len(report.updated),
                    "deactivated": len(report.deactivated),
                    "unchanged": report.unchanged,
                }
            )
            for line in report.updated:
                self.stdout.write("  ~ " + line)
            for name in report.deactivated:
                self.stdout.write("  - " + _("%(name)s: deactivated") % {"name": name})
