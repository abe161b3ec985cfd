"""Public posting of the proposed nominees before the deciding level's council (công khai, issue 20 point 6).

The flow opens a posting when a dossier that needs one reaches the deciding level's council and closes it when
its period is over (``workflows``, through the timer dispatcher); between the two, the units concerned send their
comments from the posting's page, and the posting unit's emulation office enters those it received another way.
Each change keeps history and leaves a ledger entry on the dossier; the opening and the closing are announced to the
units concerned (``_people_concerned``).
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.events import AuditEvent
from notifications import services as notification_services
from org_hierarchy.models import Membership, OrgUnit, Role
from org_hierarchy.selectors import holds_role

from ..models import Dossier, NomineeOutcome, PostingComment, PublicPosting
from .tracking import record, save_tracked

POSTING_CLOSED = _("This public posting is closed: comments are no longer received.")
COMMENT_REQUIRED = _("Write the comment.")
NOMINEE_NOT_POSTED = _("This nominee is not on the posted list.")
RECEIVED_FROM_OFFICE_ONLY = _("Only the posting unit's emulation office enters comments received from someone else.")


def _posted_nominees(dossier: Dossier) -> list[dict]:
    """The list as posted: the nominees still proposed, with what the posting shows of them (no personal data
    beyond the name, the position and the workplace)."""
    return [
        {
            "id": nominee.pk,
            "name": nominee.full_name,
            "subject_type": nominee.subject_type,
            "position": nominee.position,
            "workplace": nominee.workplace,
            "achievement": nominee.achievement_summary,
        }
        for nominee in dossier.nominees.filter(outcome=NomineeOutcome.PENDING).order_by("list_position", "pk")
    ]


def _people_concerned(posting: PublicPosting) -> QuerySet:
    """Who is told that the posting opens and closes: the emulation officers of the units the dossier came through
    below the posting unit, and the submitters of the unit that proposed it (one query, read by ``notify``)."""
    dossier = posting.dossier
    route_units = dossier.route_stops.exclude(unit_id=posting.unit_id).values("unit_id")
    seats = Membership.objects.active().filter(
        Q(role=Role.APPRAISER, unit_id__in=route_units) | Q(role=Role.SUBMITTER, unit_id=dossier.originating_unit_id)
    )
    return get_user_model().objects.filter(is_active=True, memberships__in=seats).distinct()


def _comments_received_now(count: int) -> str:
    return ngettext(
        "The posting received %(count)d comment; the council votes next.",
        "The posting received %(count)d comments; the council votes next.",
        count,
    ) % {"count": count}


# Rendered in each recipient's language by ``notify``.
_comments_received = lazy(_comments_received_now, str)


def _announce(posting: PublicPosting, *, event, title, body) -> None:
    notification_services.notify(
        recipients=_people_concerned(posting),
        event=event,
        title=title,
        body=body,
        subject=posting.dossier,
        url=reverse("nominations:posting_detail", args=[posting.pk]),
    )


@transaction.atomic(savepoint=False)
def posting_open(
    *, dossier: Dossier, unit: OrgUnit, opens_on: datetime.date, closes_on: datetime.date, working_days: int
) -> PublicPosting:
    """Post the dossier's proposed nominees at ``unit`` from ``opens_on`` to ``closes_on`` (the system acts)."""
    posting = PublicPosting(
        dossier=dossier,
        unit=unit,
        opens_on=opens_on,
        closes_on=closes_on,
        working_days=working_days,
        reference=dossier.award_type.public_posting_reference,
        nominees=_posted_nominees(dossier),
    )
    save_tracked(posting, actor=None, reason="posted")
    record(
        AuditEvent.POSTING_OPENED,
        dossier=dossier,
        actor=None,
        stage_unit=unit,
        reason=posting.reference,
        data={
            "posting": posting.pk,
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
            "working_days": working_days,
            "posted": [nominee["id"] for nominee in posting.nominees],
        },
    )
    _announce(
        posting,
        event=AuditEvent.POSTING_OPENED,
        title=format_lazy(_("Public posting: {title}"), title=dossier.title),
        body=format_lazy(
            _("{unit} posts the proposed nominees until {date}; send your comments from the posting's page."),
            unit=unit.name,
            date=closes_on.strftime("%d/%m/%Y"),
        ),
    )
    return posting


@transaction.atomic
def posting_comment_add(
    *,
    posting: PublicPosting,
    actor,
    author_unit: OrgUnit,
    text: str,
    nominee_id: int | None = None,
    received_from: str = "",
) -> PostingComment:
    """Record a comment on an open posting, about one posted nominee or the whole list.

    ``received_from`` names who sent a comment the posting unit's emulation office received another way (a letter,
    a visit); only its appraisers enter one.
    """
    posting = PublicPosting.objects.select_for_update(of=("self",)).select_related("dossier", "unit").get(pk=posting.pk)
    if not posting.is_open:
        raise ValidationError(POSTING_CLOSED, code="posting_closed")
    text = text.strip()
    if not text:
        raise ValidationError({"text": COMMENT_REQUIRED}, code="comment_required")
    if nominee_id is not None and nominee_id not in {nominee["id"] for nominee in posting.nominees}:
        raise ValidationError({"nominee": NOMINEE_NOT_POSTED}, code="nominee_not_posted")
    received_from = received_from.strip()
    if received_from and not holds_role(user=actor, unit_id=posting.unit_id, role=Role.APPRAISER):
        raise ValidationError({"received_from": RECEIVED_FROM_OFFICE_ONLY}, code="received_from_office_only")
    comment = PostingComment(
        posting=posting,
        nominee_id=nominee_id,
        text=text,
        received_from=received_from,
        author=actor,
        author_unit=author_unit,
    )
    save_tracked(comment, actor=actor, reason="received")
    record(
        AuditEvent.POSTING_COMMENTED,
        dossier=posting.dossier,
        actor=actor,
        stage_unit=posting.unit,
        reason=text,
        data={
            "posting": posting.pk,
            "nominee": nominee_id,
            "unit": author_unit.pk,
            "received_from": received_from,
        },
    )
    return comment


@transaction.atomic(savepoint=False)
def posting_close(*, dossier: Dossier) -> PublicPosting | None:
    """Close the dossier's open posting at the end of its period (the system acts); None if none is open."""
    posting = (
        PublicPosting.objects.select_for_update(of=("self",))
        .filter(dossier=dossier, closed_at__isnull=True)
        .select_related("unit")
        .first()
    )
    if posting is None:
        return None
    posting.closed_at = timezone.now()
    save_tracked(posting, actor=None, reason="closed", update_fields=["closed_at"])
    comments = posting.comments.count()
    record(
        AuditEvent.POSTING_CLOSED,
        dossier=dossier,
        actor=None,
        stage_unit=posting.unit,
        reason=posting.reference,
        data={"posting": posting.pk, "comments": comments},
    )
    _announce(
        posting,
        event=AuditEvent.POSTING_CLOSED,
        title=format_lazy(_("Public posting closed: {title}"), title=dossier.title),
        body=_comments_received(comments),
    )
    return posting
