from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import verification_record
from audit.verify import CHUNK_SIZE, verify_ledger


class Command(BaseCommand):
    help = (
        "Recompute the audit ledger's hash chain and check each entry against the state it refers to; the result "
        "is kept as the last verification the auditors' page shows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Entries read per round trip.")

    def handle(self, *args, chunk_size, **options):
        started_at = timezone.now()
        result = verify_ledger(chunk_size=chunk_size)
        verification_record(result=result, actor=None, started_at=started_at)
        if not result.ok:
            problem = result.problem
            raise CommandError(
                _("Ledger broken at entry %(sequence)s (%(event)s): %(why)s")
                % {"sequence": problem.sequence, "event": problem.event or "-", "why": problem.why},
                returncode=1,
            )
        message = _("Ledger intact: %(count)d entries verified.") % {"count": result.checked}
        self.stdout.write(self.style.SUCCESS(message))
        if not result.anchoring:
            self.stdout.write(self.style.WARNING(_("Not compared with signed checkpoints: no checkpoint key is set.")))
        elif result.checkpoints:
            self.stdout.write(
                _("Compared with %(count)d checkpoint(s), the newest covering entries 1 to %(sequence)d.")
                % {"count": result.checkpoints, "sequence": result.anchored_sequence}
            )
