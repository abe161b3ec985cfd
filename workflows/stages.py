"""One definition of an approval stage, instantiated for the commune, province and ministry levels.

Every stage has the same steps; what differs by level (the stage unit, the deadline, the titles) is data. The
builder returns a ``Stage`` whose fields ``flows.py`` names one by one (``commune_sign = commune.sign``):

    entry ─▶ appraise ─▶ appraised ─┬─▶ consult ─▶ consultation (one per unit) ─▶ consulted ─┐
                                     ├─▶ return_for_supplement                                 │
                                     └──────────────────────────────────────────────▶ council ◀┘
    council ─┬─▶ vote ─▶ voted ─┬─▶ sign ─▶ signed ─┬─▶ next stage's entry (forward; not from the last stage)
             │                  └─▶ reject          ├─▶ issue_decision | reject | return_for_supplement
             ├─▶ posting ─▶ vote (public posting before the deciding level's council, Decree 98/2023 Art. 46)
             └─▶ sign (Law 06/2022 Art. 85: simplified procedure, no council vote)

``issue_decision``, ``reject`` and ``return_for_supplement`` are the flow's own outcome nodes, shared by the stages
(``nodes.Outcome``): the steps only choose, the gateways lead there, the node acts.

The posting is a timer (``nodes.PostingTimer``) due when the award type's working days are over; the dispatcher
fires it and the vote opens. Appraise, vote and sign carry the stage deadline (``StageTask(deadline=True)``): a
reminder to the people who may act, then an escalation to the head, fired by ``dispatch_timers`` while the step
stays open (see ``nodes``).
"""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import act, flow

from org_hierarchy.models import Level, Role
from org_hierarchy.roles import permission_for

from . import views
from .nodes import ConsultationTask, ForEachSplit, PostingTimer, StageTask, Switch


def on_route(level):
    """Gateway condition: the dossier's stored route has a stage at ``level``."""
    return lambda activation: activation.process.is_on_route(level)


def returned_by(level):
    """Gateway condition: the stage at ``level`` returned the dossier for supplement."""
    return lambda activation: activation.process.was_returned_by(level)


def posts_publicly(level):
    """Gateway condition: the stage at ``level`` posts the proposed nominees before its council votes."""
    return lambda activation: activation.process.needs_public_posting(level)


def stage_unit(level):
    """Permission object of a stage task: the route's unit at ``level``."""
    return lambda process: process.stage_unit(level)


def _titled(node, title, level):
    # format_lazy keeps the Vietnamese word order of "{level}" inside the translated sentence.
    return node.Annotation(title=format_lazy(title, level=Level(level).label))


@dataclass(frozen=True)
class Stage:
    """The nodes of one stage, in diagram order."""

    entry: Switch
    appraise: StageTask
    appraised: Switch
    consult: ForEachSplit
    consultation: ConsultationTask
    consulted: flow.Join
    council: Switch
    posting: PostingTimer
    vote: StageTask
    voted: Switch
    sign: StageTask
    signed: Switch


def _or_next(switch: Switch, next_stage) -> Switch:
    """The gateway's default branch to the next stage, where there is one (none past the last stage)."""
    return switch if next_stage is None else switch.Default(next_stage)


def stage(level: Level, *, next_stage=None) -> Stage:
    """Return the nodes of the stage at ``level``; ``next_stage`` is where a forwarded dossier goes.

    The last stage of every route (the ministry's) has no ``next_stage``: its head cannot forward, so its
    gateways draw no such branch.
    """
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
        _or_next(Switch().Case(ref("appraise"), on_route(level)), next_stage), _("{level} stage on route?"), level
    )
    appraise = human(views.AppraiseView.as_view(), Role.APPRAISER, "appraised", _("{level}: receive and appraise"))
    appraised = _titled(
        Switch()
        .Case(this.return_for_supplement, act.process.is_returned)
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
        Switch()
        .Case(ref("posting"), posts_publicly(level))
        .Case(ref("vote"), act.process.needs_council_vote)
        .Default(ref("sign")),
        _("{level}: council vote needed?"),
        level,
    )
    posting = _titled(PostingTimer(level=level).Next(ref("vote")), _("{level}: public posting"), level)
    vote = human(views.VoteView.as_view(), Role.SECRETARY, "voted", _("{level}: council vote"))
    voted = _titled(
        Switch().Case(ref("sign"), act.process.has_nominees_left).Default(this.reject),
        _("{level}: anyone passed?"),
        level,
    )
    sign = human(views.SignView.as_view(), Role.APPROVER, "signed", _("{level}: head signs"))
    signed = _titled(
        _or_next(
            Switch()
            .Case(this.return_for_supplement, act.process.is_returned)
            .Case(this.reject, act.process.is_rejected)
            .Case(this.issue_decision, act.process.is_decided),
            next_stage,
        ),
        _("{level}: head's decision"),
        level,
    )
    return Stage(
        entry=entry,
        appraise=appraise,
        appraised=appraised,
        consult=consult,
        consultation=consultation,
        consulted=consulted,
        council=council,
        posting=posting,
        vote=vote,
        voted=voted,
        sign=sign,
        signed=signed,
    )
