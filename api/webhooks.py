"""Outgoing webhooks: the outbox written with a dossier's transition, and its delivery after the commit.

``deliveries_write`` is a listener of the dossiers' transitions (``nominations.listeners``, registered in
``ApiConfig.ready``: the API app sits above nominations, which cannot import it). Inside the transition's
transaction it writes one delivery per active subscription to the event whose unit's subtree holds the dossier
(its originating unit or a unit of its route, as every read is scoped) in one ``INSERT … SELECT``; after the
commit it asks the tasks backend to deliver them. ``webhooks_deliver_due`` (the ``webhooks`` queue's worker)
POSTs each due delivery in its own transaction holding its row's lock, with a timeout, so a slow or dead receiver
delays nobody's step. A failure is tried again after ``WEBHOOK_RETRY_BASE_SECONDS``, doubled at each attempt;
after ``WEBHOOK_MAX_ATTEMPTS`` the delivery is given up and shown as failed, where an administrator can send it
again. The timer dispatcher hands due retries to the worker every minute.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, Exists, F, JSONField, OuterRef, Q, UUIDField, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.events import AuditEvent
from nominations.models import RouteStop
from org_hierarchy.models import OrgUnit

from .models import EVENT_FLAGS, DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger(__name__)

URL_NOT_HTTPS = _("The address must start with https://.")
URL_HTTP_LOOPBACK_ONLY = _("Plain http:// is accepted only for this computer's own address (127.0.0.1).")
URL_INVALID = _("Enter a complete address, such as https://lgsp.example.gov.vn/meritflow/events.")
URL_NETWORK_REFUSED = _(
    "The address is in a private or reserved network, which this server does not send to; "
    "ask its operator to allow that network."
)

SIGNATURE_HEADER = "X-Meritflow-Signature"
USER_AGENT = "meritflow-webhooks/1"

# The webhook events of each ledger event of a dossier, with the outcome a "decided" event reports.
LEDGER_EVENTS = {
    AuditEvent.DOSSIER_SUBMITTED: ((WebhookEvent.DOSSIER_SUBMITTED, None),),
    AuditEvent.DOSSIER_RETURNED: ((WebhookEvent.DOSSIER_RETURNED, None),),
    AuditEvent.STAGE_REJECTED: ((WebhookEvent.DOSSIER_DECIDED, "rejected"),),
    AuditEvent.DECISION_ISSUED: ((WebhookEvent.DOSSIER_DECIDED, "awarded"), (WebhookEvent.DECISION_ISSUED, None)),
    AuditEvent.AWARD_REVOKED: ((WebhookEvent.AWARD_REVOKED, None),),
    AuditEvent.DECISION_REVOKED: ((WebhookEvent.AWARD_REVOKED, None),),
}
# The keys of a ledger entry's data that are public facts a receiver may be given (never a person's ID or birth).
PUBLIC_DATA = {
    WebhookEvent.DECISION_ISSUED: ("decision", "number"),
    WebhookEvent.AWARD_REVOKED: ("decision", "number", "revocation", "awards", "revoked_on", "reference"),
}


# The signing secret ---------------------------------------------------------------------------------------------


def secret_new() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def _fernet() -> MultiFernet:
    """Keys derived from ``SECRET_KEY`` and its fallbacks: secrets sealed before a key rotation still open."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"meritflow.webhooks:{key}".encode()).digest()))
            for key in keys
        ]
    )


def secret_seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_open(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode()


def signature(secret: str, *, timestamp: str, body: bytes) -> str:
    """``HMAC-SHA256(secret, f"{timestamp}.{body}")`` in hexadecimal: what a receiver recomputes."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


# The address -----------------------------------------------------------------------------------------------------


def _literal_address(host: str):
    """The IP address ``host`` is written as (``localhost`` as 127.0.0.1), or None for a name."""
    try:
        return ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        return None


def address_allowed(address: str) -> bool:
    """Whether a receiver at this IP address may be sent to: a public address, loopback where
    ``WEBHOOK_ALLOW_HTTP_LOOPBACK`` is on, or one in ``WEBHOOK_ALLOWED_NETWORKS`` (an integration platform on the
    government's internal network). Everything else (private, link-local such as a cloud's metadata service,
    reserved, multicast) is refused, so a subscription cannot make the server probe its own network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_loopback and settings.WEBHOOK_ALLOW_HTTP_LOOPBACK:
        return True
    if any(ip in ipaddress.ip_network(network, strict=False) for network in settings.WEBHOOK_ALLOWED_NETWORKS):
        return True
    return ip.is_global and not ip.is_multicast


def url_check(url: str) -> str:
    """Return the subscription's address, or raise ``ValidationError``: https, or http to loopback when allowed;
    an address written as an IP must be one ``address_allowed`` accepts (names are checked when sending)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise ValidationError({"url": URL_INVALID}) from None
    if not host or parts.scheme not in ("https", "http") or parts.username or parts.password:
        raise ValidationError({"url": URL_INVALID})
    literal = _literal_address(host)
    if parts.scheme == "http":
        if not settings.WEBHOOK_ALLOW_HTTP_LOOPBACK:
            raise ValidationError({"url": URL_NOT_HTTPS})
        if literal is None or not literal.is_loopback:
            raise ValidationError({"url": URL_HTTP_LOOPBACK_ONLY})
    if literal is not None and not address_allowed(str(literal)):
        raise ValidationError({"url": URL_NETWORK_REFUSED})
    return url


def _ensure_receiver_allowed(url: str) -> None:
    """Resolve the receiver's name and raise ``OSError`` unless every address it has is allowed."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for *_rest, sockaddr in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM):
        if not address_allowed(sockaddr[0]):
            raise OSError(f"receiver address {sockaddr[0]} is in a network this server does not send to")


# The outbox ------------------------------------------------------------------------------------------------------


def _payload(webhook_event, *, event_id, occurred_at, dossier, stage_unit, data, outcome) -> dict:
    """What a receiver is told: ids and public facts, with the API's address of the dossier."""
    payload = {
        "id": str(event_id),
        "event": str(webhook_event),
        "occurred_at": occurred_at.isoformat(),
        "dossier": {
            "id": dossier.pk,
            "title": dossier.title,
            "status": dossier.status,
            "year": dossier.year,
            "originating_unit": dossier.originating_unit_id,
            "award_type": dossier.award_type_id,
            "url": settings.SITE_URL + reverse("api:dossier", args=[dossier.pk]),
        },
        "stage_unit": stage_unit.pk if stage_unit is not None else None,
    }
    if outcome is not None:
        payload["outcome"] = outcome
        payload["awarded"] = len(data.get("nominees") or {}) if outcome == "awarded" else 0
    for key in PUBLIC_DATA.get(webhook_event, ()):
        if key in data:
            payload[key] = data[key]
    return payload


def _matching(webhook_event, *, dossier, event_id, payload, now):
    """The rows to insert for one event: the active subscriptions to it over a unit of the dossier."""
    units = OrgUnit.objects.filter(
        Q(pk=dossier.originating_unit_id) | Q(pk__in=RouteStop.objects.filter(dossier_id=dossier.pk).values("unit_id")),
        path__startswith=OuterRef("unit__path"),
    )
    return (
        WebhookSubscription.objects.filter(is_active=True, **{EVENT_FLAGS[webhook_event]: True})
        .filter(Exists(units))
        .order_by()
        .values(
            w_subscription=F("pk"),
            w_event_id=Value(event_id, output_field=UUIDField()),
            w_event=Value(str(webhook_event)),
            w_payload=Value(payload, output_field=JSONField()),
            w_status=Value(DeliveryStatus.PENDING.value),
            w_attempts=Value(0),
            w_error=Value(""),
            w_next=Value(now, output_field=DateTimeField()),
            w_created=Value(now, output_field=DateTimeField()),
        )
    )


COLUMNS = (
    ("subscription_id", "w_subscription"),
    ("event_id", "w_event_id"),
    ("event", "w_event"),
    ("payload", "w_payload"),
    ("status", "w_status"),
    ("attempts", "w_attempts"),
    ("last_error", "w_error"),
    ("next_attempt_at", "w_next"),
    ("created_at", "w_created"),
)


def deliveries_write(event, *, dossier, stage_unit, data) -> int:
    """Write the deliveries of a dossier's ledger event in the caller's transaction: one ``INSERT … SELECT`` for
    all its webhook events (none for the events no webhook carries); return how many rows were written."""
    webhook_events = LEDGER_EVENTS.get(event)
    if not webhook_events:
        return 0
    now = timezone.now()
    parts = []
    for webhook_event, outcome in webhook_events:
        event_id = uuid.uuid4()
        payload = _payload(
            webhook_event,
            event_id=event_id,
            occurred_at=now,
            dossier=dossier,
            stage_unit=stage_unit,
            data=data,
            outcome=outcome,
        )
        parts.append(_matching(webhook_event, dossier=dossier, event_id=event_id, payload=payload, now=now))
    query = parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]
    select, params = query.query.sql_with_params()
    quote = connection.ops.quote_name
    targets = ", ".join(quote(column) for column, _alias in COLUMNS)
    sources = ", ".join(quote(alias) for _column, alias in COLUMNS)
    sql = f"INSERT INTO {quote(WebhookDelivery._meta.db_table)} ({targets}) SELECT {sources} FROM ({select}) matching"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    if written:
        transaction.on_commit(webhooks_kick, robust=True)
    return written


def webhooks_kick() -> None:
    """Ask the tasks backend to deliver what is due; call it after the writing transaction's commit."""
    from .jobs import deliver_webhooks

    deliver_webhooks.enqueue()


def webhooks_sweep() -> int:
    """Kick the worker when deliveries are due (retries, or left by a killed worker). A job of the timer
    dispatcher: it sends no notice, so it returns 0."""
    if WebhookDelivery.objects.due().exists():
        webhooks_kick()
    return 0


# Delivery --------------------------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver answers where it stands: a redirect is not followed (it could point anywhere)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The delivery's JSON body, the same bytes on every attempt."""
    return json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _post(delivery: WebhookDelivery) -> int:
    """POST the delivery once; return the response's status code (raise ``OSError`` when none came)."""
    body = body_of(delivery)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Meritflow-Event": delivery.event,
            "X-Meritflow-Event-Id": str(delivery.event_id),
            "X-Meritflow-Delivery": str(delivery.pk),
            "X-Meritflow-Timestamp": timestamp,
            SIGNATURE_HEADER: "sha256="
            + signature(secret_open(delivery.subscription.secret), timestamp=timestamp, body=body),
        },
    )
    _ensure_receiver_allowed(delivery.subscription.url)
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: the base delay, doubled at each further failure."""
    return timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def webhook_delivery_send(*, delivery_id: int, now=None) -> bool:
    """Send one delivery due at ``now`` unless another worker holds it or it was delivered; True when the receiver
    took it (a 2xx answer)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.due(now=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        delivery._change_reason = "Webhook delivery attempted"
        try:
            delivery.last_status_code = _post(delivery)
            error = "" if 200 <= delivery.last_status_code < 300 else f"HTTP {delivery.last_status_code}"
        except (OSError, InvalidToken, ValueError) as failure:
            delivery.last_status_code = None
            error = f"{type(failure).__name__}: {failure}"[:500]
        delivery.last_error = error
        fields = ["attempts", "last_status_code", "last_error", "status", "next_attempt_at", "delivered_at"]
        if not error:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            logger.error("Gave up webhook delivery %s to %s: %s", delivery.pk, delivery.subscription.url, error)
        else:
            delivery.next_attempt_at = (now or timezone.now()) + retry_delay(delivery.attempts)
            logger.warning("Webhook delivery %s failed (attempt %d): %s", delivery.pk, delivery.attempts, error)
        delivery.save(update_fields=fields)
        return not error


def webhooks_deliver_due(*, now=None, limit: int = 200) -> int:
    """Send the due deliveries (at most ``limit``), oldest first; return how many the receivers took."""
    due = WebhookDelivery.objects.due(now=now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)
    return sum(webhook_delivery_send(delivery_id=pk, now=now) for pk in list(due[:limit]))
