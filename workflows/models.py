"""The nomination process: viewflow's Process with the transient routing data of one dossier.

Authoritative data (route, nominees, outcomes, decision) lives in the nominations models; the process keeps only
what the gateways read between two steps: the outcome of the step just done, the units consulted and the current
stage's deadline (the stage that returned the dossier is the dossier's ``returned_by_unit``). The conditions the
gateways test are named here so that ``flows.py`` reads like the diagram.
"""

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords
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


class DeadlineNotice:
    """The notices a step's stage deadline sends, in this order; each is kept in the step's ``data``.

    The reminder goes to the people who may act, the escalation to the head of the stage unit at the end of the
    deadline day, and, where the award type says so for the stage's level, the escalation to the emulation office
    of the level above after that many working days overdue.
    """

    REMINDER = "reminder"
    ESCALATION = "escalation"
    ESCALATION_ABOVE = "escalation_above"
    TITLES = {
        REMINDER: _("Reminder"),
        ESCALATION: _("Escalation"),
        ESCALATION_ABOVE: _("Escalation to the level above"),
    }


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Day off")
    WORKING_DAY = "working_day", _("Working day")


class CalendarException(models.Model):
    """A day the Government's notice makes a day off (extra days around Tết) or a working day (a make-up Saturday).

    The Labour Code's public holidays come from the ``holidays`` package; these rows correct it, and every
    deadline counted from then on follows them (``workflows.calendar``).
    """

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarDayKind.choices)
    reference = models.CharField(
        _("notice"), max_length=255, help_text=_("The Government's notice, e.g. Thông báo số 6150/TB-BNV.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} · {self.get_kind_display()}"


class NominationProcess(Process):
    """One dossier travelling its route; ``artifact`` is the dossier."""

    route = jsonstore.JSONField(default=list, help_text=_("[level, unit id] per stage, copied from the route."))
    stage_outcome = jsonstore.CharField(max_length=20, blank=True)
    consult_unit_ids = jsonstore.JSONField(default=list)
    stage_started = jsonstore.DateField(null=True, blank=True)
    stage_deadline = jsonstore.DateField(null=True, blank=True)
    stage_reminder = jsonstore.DateField(null=True, blank=True)
    stage_posting_days = jsonstore.IntegerField(null=True, blank=True)
    # Who chose the stage outcome, where and why (``services.StageChoice``), for the outcome node the gateway leads
    # to. Not stored: the step that chooses, the gateway and the outcome node run in one transaction, on this one
    # process instance.
    stage_choice = None

    class Meta:
        proxy = True
        verbose_name = _("nomination process")
        verbose_name_plural = _("nomination processes")

    @property
    def dossier(self) -> Dossier:
        if not NominationProcess.artifact.is_cached(self):
            # One read for the dossier and its award type, which the steps and gateways consult (deadlines, vote
            # threshold, council or not).
            self.artifact = Dossier.objects.select_related("award_type").get(pk=self.artifact_object_id)
        return self.artifact

    def stage_unit_id(self, level: int) -> int | None:
        """Return the id of the route's stage unit at ``level``."""
        return next((unit_id for stop_level, unit_id in self.route if stop_level == level), None)

    def stage_unit(self, level: int) -> OrgUnit:
        """Return the route's stage unit at ``level``, read once per process instance (a step and the next one
        created in the same transaction both ask for it): the first asked reads every unit of the route, so a
        forwarding step has its own stage and the next one from one statement."""
        units = self.__dict__.setdefault("_stage_units", {})
        unit_id = self.stage_unit_id(level)
        if unit_id not in units:
            units.update(OrgUnit.objects.in_bulk([stop_id for _level, stop_id in self.route if stop_id not in units]))
        if unit_id not in units:
            units[unit_id] = OrgUnit.objects.get(pk=unit_id)
        return units[unit_id]

    def is_on_route(self, level: int) -> bool:
        return self.stage_unit_id(level) is not None

    def was_returned_by(self, level: int) -> bool:
        return self.dossier.returned_by_unit_id == self.stage_unit_id(level)

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

    def needs_public_posting(self, level: int) -> bool:
        """Tell whether the stage at ``level`` posts the proposed nominees before its council votes: it is the
        deciding authority (the route ends there), its council votes, and the award type sets a posting period."""
        return (
            bool(self.route)
            and self.route[-1][0] == level
            and self.needs_council_vote
            and self.dossier.award_type.public_posting_days > 0
        )

    @property
    def has_nominees_left(self) -> bool:
        return self.dossier.nominees.filter(outcome=NomineeOutcome.PENDING).exists()


# Field-level history of the task rows people act on (who took, did or cancelled which step, and the deadline
# notices the dispatcher left on it), kept in this app.
register(Task, app="workflows")

# The rows people act on: the start step and the human tasks. Gateways and ends are created and finished inside
# the step that reaches them; their rows already say what a history row would, and the ledger records the step.
TASK_TYPES_WITH_HISTORY = frozenset({"HUMAN_START", "HUMAN"})


@receiver(pre_save, sender=Task)
def _history_for_steps_people_act_on(sender, instance, **kwargs):
    if instance.flow_task_type not in TASK_TYPES_WITH_HISTORY:
        # django-simple-history skips a save when this attribute is present, whatever its value.
        instance.skip_history_when_saving = True
