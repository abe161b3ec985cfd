"""Public posting of the proposed nominees before the deciding level's council (công khai, issue 20 point 6).

The flow opens a posting when a dossier that needs one reaches the deciding level's council and closes it when
its period is over (``workflows``, through the timer dispatcher); between the two, the units concerned send their
comments from the posting's page, and the posting unit's emulation office enters those it received another way.
Each change keeps history and leaves a ledger entry on the dossier.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.events import AuditEvent
from org_hierarchy.models import OrgUnit, Role
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
    record(
        AuditEvent.POSTING_CLOSED,
        dossier=dossier,
        actor=None,
        stage_unit=posting.unit,
        reason=posting.reference,
        data={"posting": posting.pk, "comments": posting.comments.count()},
    )
    return posting
