"""The API app's writers: service accounts, their tokens and webhook subscriptions, each with a ledger entry."""

import datetime
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from audit import services as audit_services
from audit.events import AuditEvent
from org_hierarchy import services as org_services
from org_hierarchy.models import OrgUnit, Role

from . import selectors, tokens, webhooks
from .models import (
    EVENT_FLAGS,
    ApiToken,
    DeliveryStatus,
    Scope,
    ServiceAccount,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

NOT_AN_ADMINISTRATOR = _("Only an administrator of this unit can do this.")
NAME_REQUIRED = _("Please give a name.")
NO_SCOPE = _("Choose at least one scope.")
EXPIRY_PAST = _("The expiry must be in the future.")
EXPIRY_TOO_FAR = _("A token is valid for at most %(days)d days.")
TOKEN_REVOKED = _("This token is already revoked.")
# A service account acts in the roles that handle dossiers or read them; administering stays with people.
ACCOUNT_ROLES = (Role.SUBMITTER, Role.APPRAISER, Role.SECRETARY, Role.APPROVER, Role.AUDITOR)
ROLE_NOT_ALLOWED = _("A service account cannot hold this role.")
NO_EVENT = _("Choose at least one event.")
SUBSCRIPTION_INACTIVE = _("This subscription is already deactivated.")
DELIVERY_DELIVERED = _("This delivery was already received; it is not sent again.")


def ensure_unit_administrator(*, user, unit: OrgUnit) -> None:
    if not selectors.administers(user=user, unit=unit):
        raise PermissionDenied(NOT_AN_ADMINISTRATOR)


def _username_for(name: str) -> str:
    base = f"svc-{slugify(name)[:40] or 'account'}"
    User = get_user_model()
    username, serial = base, 1
    while User.objects.filter(username=username).exists():
        serial += 1
        username = f"{base}-{serial}"
    return username


@transaction.atomic
def service_account_create(*, actor, name: str, unit: OrgUnit, role: str) -> ServiceAccount:
    """Create the account's user (who cannot sign in), give it ``role`` at ``unit``, and record it."""
    ensure_unit_administrator(user=actor, unit=unit)
    name = re.sub(r"\s+", " ", name or "").strip()
    if not name:
        raise ValidationError({"name": NAME_REQUIRED})
    if role not in ACCOUNT_ROLES:
        raise ValidationError({"role": ROLE_NOT_ALLOWED})
    user = get_user_model()(username=_username_for(name), full_name=name, position=str(_("Service account")))
    user.set_unusable_password()
    user.save()
    org_services.membership_grant(user=user, unit=unit, role=role, actor=actor, note=str(_("Service account")))
    account = ServiceAccount(name=name, user=user, unit=unit, role=role, created_by=actor)
    account._history_user = actor
    account.save()
    audit_services.record(
        AuditEvent.SERVICE_ACCOUNT_CREATED,
        actor=actor,
        unit=unit,
        subject=account,
        role=Role.ADMIN,
        data={"role": role, "user_id": user.pk},
    )
    return account


@transaction.atomic
def api_token_issue(
    *, actor, account: ServiceAccount, name: str, scopes, expires_on: datetime.date
) -> tuple[ApiToken, str]:
    """Issue a token; return it with its text, which is shown this once and never stored."""
    ensure_unit_administrator(user=actor, unit=account.unit)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = NAME_REQUIRED
    scopes = sorted(set(scopes or ()))
    if not scopes or not set(scopes) <= set(Scope.values):
        errors["scopes"] = NO_SCOPE
    today = timezone.localdate()
    if expires_on <= today:
        errors["expires_on"] = EXPIRY_PAST
    elif expires_on > today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS):
        errors["expires_on"] = EXPIRY_TOO_FAR % {"days": settings.API_TOKEN_MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    prefix, text = tokens.token_new()
    expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
    token = ApiToken(
        account=account,
        name=name,
        prefix=prefix,
        digest=tokens.token_digest(text),
        scopes=scopes,
        expires_at=expires_at,
        created_by=actor,
    )
    token._history_user = actor
    token.save()
    audit_services.record(
        AuditEvent.API_TOKEN_ISSUED,
        actor=actor,
        unit=account.unit,
        subject=account,
        role=Role.ADMIN,
        data={"name": name, "code": prefix, "valid_to": expires_on.isoformat(), "kind": scopes},
    )
    return token, text


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("account__unit").get(pk=token.pk)
    ensure_unit_administrator(user=actor, unit=token.account.unit)
    if token.revoked_at is not None:
        raise ValidationError(TOKEN_REVOKED, code="revoked")
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token._history_user = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_services.record(
        AuditEvent.API_TOKEN_REVOKED,
        actor=actor,
        unit=token.account.unit,
        subject=token.account,
        role=Role.ADMIN,
        data={"name": token.name, "code": token.prefix},
    )
    return token


def api_token_touch(*, token: ApiToken, now=None) -> None:
    """Note when a token was last used, at most once a minute (not history: it is not a change of the token)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _subscription_fields(*, name: str, url: str, events) -> dict:
    errors = {}
    name = re.sub(r"\s+", " ", name or "").strip()
    if not name:
        errors["name"] = NAME_REQUIRED
    try:
        url = webhooks.url_check(url)
    except ValidationError as error:
        errors.update(error.error_dict)
    events = set(events or ()) & set(WebhookEvent.values)
    if not events:
        errors["events"] = NO_EVENT
    if errors:
        raise ValidationError(errors)
    return {"name": name, "url": url, **{flag: event in events for event, flag in EVENT_FLAGS.items()}}


@transaction.atomic
def webhook_subscription_create(
    *, actor, unit: OrgUnit, name: str, url: str, events
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``url`` to ``events`` of the dossiers in ``unit``'s subtree; return the subscription with its
    signing secret, which is shown this once (it is stored sealed, ``webhooks.secret_seal``)."""
    ensure_unit_administrator(user=actor, unit=unit)
    fields = _subscription_fields(name=name, url=url, events=events)
    secret = webhooks.secret_new()
    subscription = WebhookSubscription(unit=unit, secret=webhooks.secret_seal(secret), created_by=actor, **fields)
    subscription._history_user = actor
    subscription.save()
    audit_services.record(
        AuditEvent.WEBHOOK_CHANGED,
        actor=actor,
        unit=unit,
        subject=subscription,
        role=Role.ADMIN,
        data={"name": subscription.name, "kind": subscription.events, "created": True},
    )
    return subscription, secret


@transaction.atomic
def webhook_subscription_update(*, actor, subscription: WebhookSubscription, name: str, url: str, events):
    """Change a subscription's name, address or events (its secret stays)."""
    subscription = WebhookSubscription.objects.select_for_update().select_related("unit").get(pk=subscription.pk)
    ensure_unit_administrator(user=actor, unit=subscription.unit)
    fields = _subscription_fields(name=name, url=url, events=events)
    changed = [field for field, value in fields.items() if getattr(subscription, field) != value]
    for field, value in fields.items():
        setattr(subscription, field, value)
    if changed:
        subscription._history_user = actor
        subscription.save(update_fields=changed)
        audit_services.record(
            AuditEvent.WEBHOOK_CHANGED,
            actor=actor,
            unit=subscription.unit,
            subject=subscription,
            role=Role.ADMIN,
            data={"name": subscription.name, "kind": subscription.events, "fields": changed},
        )
    return subscription


@transaction.atomic
def webhook_subscription_deactivate(*, actor, subscription: WebhookSubscription) -> WebhookSubscription:
    """Stop telling the subscription of new events; deliveries already written are still sent."""
    subscription = WebhookSubscription.objects.select_for_update().select_related("unit").get(pk=subscription.pk)
    ensure_unit_administrator(user=actor, unit=subscription.unit)
    if not subscription.is_active:
        raise ValidationError(SUBSCRIPTION_INACTIVE, code="inactive")
    subscription.is_active = False
    subscription.deactivated_at = timezone.now()
    subscription._history_user = actor
    subscription.save(update_fields=["is_active", "deactivated_at"])
    audit_services.record(
        AuditEvent.WEBHOOK_CHANGED,
        actor=actor,
        unit=subscription.unit,
        subject=subscription,
        role=Role.ADMIN,
        data={"name": subscription.name, "removed": True},
    )
    return subscription


@transaction.atomic
def webhook_delivery_retry(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery that is waiting or given up again now, with a fresh allowance of attempts; the worker
    sends it after the commit."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",)).select_related("subscription__unit").get(pk=delivery.pk)
    )
    ensure_unit_administrator(user=actor, unit=delivery.subscription.unit)
    if delivery.status == DeliveryStatus.DELIVERED:
        raise ValidationError(DELIVERY_DELIVERED, code="delivered")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery._history_user = actor
    delivery._change_reason = "Webhook delivery retried"
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_services.record(
        AuditEvent.WEBHOOK_RETRIED,
        actor=actor,
        unit=delivery.subscription.unit,
        subject=delivery.subscription,
        role=Role.ADMIN,
        data={"name": delivery.subscription.name, "id": delivery.pk, "kind": delivery.event},
    )
    transaction.on_commit(webhooks.webhooks_kick, robust=True)
    return delivery
