"""``Idempotency-Key`` on the API's acts: a retried POST answers what the first one did and acts only once.

The caller runs ``idempotent`` inside the transaction of the act and under its lock (the flow's, the dossier's
row), so two deliveries of one request run one after the other and the second finds the first's answer.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response

from .models import IdempotentRequest
from .problems import Conflict

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEY_REUSED = _("This Idempotency-Key was already used for a different request.")
KEY_TOO_LONG = _("An Idempotency-Key has at most 255 characters.")


def key_of(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if len(key) > MAX_KEY_LENGTH:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({HEADER: [KEY_TOO_LONG]})
    return key


def fingerprint(request) -> str:
    """The request as acted on: method, path and the parsed body (files by name and size)."""
    data = request.data
    body = {key: data.getlist(key) for key in data} if hasattr(data, "getlist") else data
    files = sorted((name, upload.name, upload.size) for name, upload in request.FILES.items())
    text = json.dumps(
        [request.method, request.path, body, files], sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(request, act) -> Response:
    """Return ``act()``'s response, or the stored one when this key was already used for the same request."""
    key = key_of(request)
    if not key:
        return act()
    stamp = fingerprint(request)
    stored = IdempotentRequest.objects.filter(user=request.user, key=key).first()
    if stored is not None:
        if stored.fingerprint != stamp:
            raise Conflict(KEY_REUSED)
        headers = {REPLAYED_HEADER: "true"}
        if stored.location:
            headers["Location"] = stored.location
        return Response(stored.body, status=stored.status, headers=headers)
    response = act()
    if 200 <= response.status_code < 300:
        body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
        try:
            with transaction.atomic():
                IdempotentRequest.objects.create(
                    user=request.user,
                    key=key,
                    fingerprint=stamp,
                    status=response.status_code,
                    body=body,
                    location=response.headers.get("Location", ""),
                )
        except IntegrityError as error:
            # The same key, at the same moment, for another resource: this act is rolled back with the error.
            raise Conflict(KEY_REUSED) from error
    return response
