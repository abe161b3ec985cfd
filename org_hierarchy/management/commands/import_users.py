"""Create users and their memberships from a CSV or XLSX file, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from org_hierarchy.services import users_import


class Command(BaseCommand):
    help = _(
        "Import users and memberships from a CSV or XLSX file (columns: username, full_name, email, role, "
        "unit_id or unit_path or branch + admin_code [+ level], valid_from, valid_to)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            handle = file.open("rb")
        except OSError as exc:
            raise CommandError(_("Cannot open %(file)s: %(error)s") % {"file": file, "error": exc}) from exc
        with handle:
            report = users_import(file=handle, actor=None)
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)d error(s); nothing was imported.") % {"count": len(report.errors)}, returncode=1
            )
        self.stdout.write(
            _(
                "%(rows)d rows: %(users_created)d users created, %(users_existing)d already existed; "
                "%(memberships_created)d memberships created, %(memberships_unchanged)d already held."
            )
            % {
                "rows": report.rows,
                "users_created": report.users_created,
                "users_existing": report.users_existing,
                "memberships_created": report.memberships_created,
                "memberships_unchanged": report.memberships_unchanged,
            }
        )
