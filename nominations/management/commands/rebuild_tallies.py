from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nominations.services import tallies_rebuild, tally_differences


class Command(BaseCommand):
    help = (
        "Write the statistics' counts per dossier afresh from the nominees (after rows were changed outside the "
        "services, or to repair them); with --check, only report the dossiers whose counts differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing.")

    def handle(self, *args, check, **options):
        if check:
            differing = tally_differences()
            if differing:
                shown = ", ".join(str(pk) for pk in differing[:20])
                raise CommandError(
                    _("The counts of %(count)d dossier(s) differ from their nominees: %(dossiers)s")
                    % {"count": len(differing), "dossiers": shown},
                    returncode=1,
                )
            self.stdout.write(self.style.SUCCESS(_("Every dossier's counts match its nominees.")))
            return
        rows = tallies_rebuild()
        self.stdout.write(self.style.SUCCESS(_("Counts written afresh: %(count)d rows.") % {"count": rows}))
