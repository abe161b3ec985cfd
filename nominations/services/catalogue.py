"""Edits of the award catalogue and of campaigns by administrators, with history and a ledger entry."""

from django.db import transaction

from audit import services as audit_services
from audit.events import AuditEvent

from ..models import AwardType, Campaign
from .tracking import save_tracked


@transaction.atomic
def award_type_save(*, award_type: AwardType, actor, changed_fields=(), required_documents=None) -> AwardType:
    """Create or change an award type; ``required_documents`` (if given) replaces its document list."""
    created = award_type.pk is None
    save_tracked(award_type, actor=actor, reason="created" if created else "changed")
    if required_documents is not None:
        award_type.required_documents.set(required_documents)
    audit_services.record(
        AuditEvent.AWARD_TYPE_CHANGED,
        actor=actor,
        subject=award_type,
        data={"code": award_type.code, "created": created, "fields": sorted(changed_fields)},
    )
    return award_type


@transaction.atomic
def campaign_save(*, campaign: Campaign, actor, changed_fields=()) -> Campaign:
    """Create or change a campaign (its contents and subject groups are saved alongside by the caller)."""
    created = campaign.pk is None
    save_tracked(campaign, actor=actor, reason="created" if created else "changed")
    audit_services.record(
        AuditEvent.CAMPAIGN_CHANGED,
        actor=actor,
        unit=campaign.launching_unit,
        subject=campaign,
        data={"created": created, "fields": sorted(changed_fields)},
    )
    return campaign
