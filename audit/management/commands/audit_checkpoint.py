from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit import anchoring


class Command(BaseCommand):
    help = _(
        "Sign the audit ledger's chain head with the checkpoint key and write the checkpoint outside the database "
        "(and e-mail it to AUDIT_CHECKPOINT_EMAIL). Run it on a schedule, as the only user that can read the key."
    )

    def handle(self, *args, **options):
        try:
            taken = anchoring.take()
        except anchoring.CheckpointError as error:
            anchoring.alert(str(error))
            raise CommandError(str(error), returncode=1) from error
        if taken.checkpoint is None:
            if taken.newest is None:
                self.stdout.write(_("The ledger is empty: no checkpoint written."))
            else:
                self.stdout.write(
                    _("No entry since the checkpoint %(name)s: no checkpoint written.") % {"name": taken.newest.name}
                )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Checkpoint %(name)s written: entries 1 to %(sequence)d.")
                % {"name": taken.checkpoint.name, "sequence": taken.checkpoint.sequence}
            )
        )
