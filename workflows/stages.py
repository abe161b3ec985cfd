"""One definition of an approval stage, instantiated for the commune, province and ministry levels.

Every stage has the same steps; what differs by level (the stage unit, the deadline, the titles) is data. The
builder returns the nodes in diagram order so ``flows.py`` names each of them explicitly:

    entry ─▶ appraise ─▶ appraised ─┬─▶ consult ─▶ consultation (one per unit) ─▶ consulted ─┐
                                     ├─▶ supplement (returned)                                 │
                                     └──────────────────────────────────────────────▶ council ◀┘
    council ─┬─▶ vote ─▶ voted ─┬─▶ sign ─▶ signed ─┬─▶ next stage's entry (forward)
             │                  └─▶ rejected        ├─▶ decided | rejected | supplement
             └─▶ sign (Law 06/2022 Art. 85: simplified procedure, no council vote)

Appraise, vote and sign carry the stage deadline (``StageTask(deadline=True)``): a reminder to the people who may
act, then an escalation to the head, fired by ``dispatch_timers`` while the step stays open (see ``nodes``).
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import act, flow

from org_hierarchy.models import Level, Role
from org_hierarchy.roles import permission_for

from . import views
from .nodes import ConsultationTask, ForEachSplit, StageTask, Switch


def on_route(level):
    """Gateway condition: the dossier's stored route has a stage at ``level``."""
    return lambda activation: activation.process.is_on_route(level)


def returned_by(level):
    """Gateway condition: the stage at ``level`` returned the dossier for supplement."""
    return lambda activation: activation.process.was_returned_by(level)


def stage_unit(level):
    """Permission object of a stage task: the route's unit at ``level``."""
    return lambda process: process.stage_unit(level)


def _titled(node, title, level):
    # format_lazy keeps the Vietnamese word order of "{level}" inside the translated sentence.
    return node.Annotation(title=format_lazy(title, level=Level(level).label))


def stage(level: Level, *, next_stage):
    """Return the nodes of the stage at ``level``; ``next_stage`` is where a forwarded dossier goes."""
    name = level.slug

    def ref(step):
        return getattr(this, f"{name}_{step}")

    def human(view, role, step, title):
        node = (
            StageTask(view, level=level, deadline=True)
            .Permission(permission_for(role), obj=stage_unit(level))
            .onCreate(this.announce_task)
            .Next(ref(step))
        )
        return _titled(node, title, level)

    entry = _titled(
        Switch().Case(ref("appraise"), on_route(level)).Default(next_stage), _("{level} stage on route?"), level
    )
    appraise = human(views.AppraiseView.as_view(), Role.APPRAISER, "appraised", _("{level}: receive and appraise"))
    appraised = _titled(
        Switch()
        .Case(this.supplement, act.process.is_returned)
        .Case(ref("consult"), act.process.is_consulting)
        .Default(ref("council")),
        _("{level}: appraisal outcome"),
        level,
    )
    consult = _titled(ForEachSplit(this.consulted_units).Next(ref("consultation")), _("{level}: consult"), level)
    consultation = _titled(
        ConsultationTask(views.ConsultView.as_view(), level=level)
        .Permission(permission_for(Role.APPRAISER))
        .onCreate(this.announce_task)
        .Next(ref("consulted")),
        _("{level}: consultation opinion"),
        level,
    )
    consulted = _titled(flow.Join().Next(ref("council")), _("{level}: all opinions in"), level)
    council = _titled(
        Switch().Case(ref("vote"), act.process.needs_council_vote).Default(ref("sign")),
        _("{level}: council vote needed?"),
        level,
    )
    vote = human(views.VoteView.as_view(), Role.SECRETARY, "voted", _("{level}: council vote"))
    voted = _titled(
        Switch().Case(ref("sign"), act.process.has_nominees_left).Default(this.rejected),
        _("{level}: anyone passed?"),
        level,
    )
    sign = human(views.SignView.as_view(), Role.APPROVER, "signed", _("{level}: head signs"))
    signed = _titled(
        Switch()
        .Case(this.supplement, act.process.is_returned)
        .Case(this.rejected, act.process.is_rejected)
        .Case(this.decided, act.process.is_decided)
        .Default(next_stage),
        _("{level}: head's decision"),
        level,
    )
    return entry, appraise, appraised, consult, consultation, consulted, council, vote, voted, sign, signed
