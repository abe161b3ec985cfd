"""The nomination process: viewflow's Process with the transient routing data of one dossier.

Authoritative data (route, nominees, outcomes, decision) lives in the nominations models; the process keeps only
what the gateways read between two steps: the outcome of the step just done, the stage that returned the dossier,
the units consulted, the current stage's deadline and who signed. The conditions the gateways test are named here
so that ``flows.py`` reads like the diagram.
"""

from django.utils.translation import gettext_lazy as _
from simple_history import register
from viewflow import jsonstore
from viewflow.workflow.models import Process, Task

from nominations.models import Dossier, NomineeOutcome
from org_hierarchy.models import OrgUnit


class StageOutcome:
    """What the last step of a stage decided; read by the stage's gateways."""

    PROCEED = "proceed"
    CONSULT = "consult"
    RETURN = "return"
    REJECT = "reject"
    FORWARD = "forward"
    DECIDE = "decide"


class NominationProcess(Process):
    """One dossier travelling its route; ``artifact`` is the dossier."""

    route = jsonstore.JSONField(default=list, help_text=_("[level, unit id] per stage, copied from the route."))
    stage_outcome = jsonstore.CharField(max_length=20, blank=True)
    returned_from = jsonstore.IntegerField(null=True, blank=True)
    consult_unit_ids = jsonstore.JSONField(default=list)
    stage_deadline = jsonstore.DateField(null=True, blank=True)
    stage_reminder = jsonstore.DateField(null=True, blank=True)
    signed_by_id = jsonstore.IntegerField(null=True, blank=True)
    acting_for_id = jsonstore.IntegerField(null=True, blank=True)

    class Meta:
        proxy = True
        verbose_name = _("nomination process")
        verbose_name_plural = _("nomination processes")

    @property
    def dossier(self) -> Dossier:
        return self.artifact

    def stage_unit_id(self, level: int) -> int | None:
        """Return the id of the route's stage unit at ``level``."""
        return next((unit_id for stop_level, unit_id in self.route if stop_level == level), None)

    def stage_unit(self, level: int) -> OrgUnit:
        return OrgUnit.objects.get(pk=self.stage_unit_id(level))

    def is_on_route(self, level: int) -> bool:
        return self.stage_unit_id(level) is not None

    def was_returned_by(self, level: int) -> bool:
        return self.returned_from == level

    @property
    def is_returned(self) -> bool:
        return self.stage_outcome == StageOutcome.RETURN

    @property
    def is_consulting(self) -> bool:
        return self.stage_outcome == StageOutcome.CONSULT

    @property
    def is_rejected(self) -> bool:
        return self.stage_outcome == StageOutcome.REJECT

    @property
    def is_decided(self) -> bool:
        return self.stage_outcome == StageOutcome.DECIDE

    @property
    def needs_council_vote(self) -> bool:
        # Law 06/2022 Art. 85: the simplified procedure has no council vote.
        return not self.dossier.uses_simplified_procedure

    @property
    def has_nominees_left(self) -> bool:
        return self.dossier.nominees.filter(outcome=NomineeOutcome.PENDING).exists()


# Field-level history of every task row (who took, did or cancelled which step), kept in this app.
register(Task, app="workflows")
