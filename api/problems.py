"""Errors as RFC 9457 problem details (``application/problem+json``), in the caller's language.

Every error of the API, whether raised by DRF (authentication, throttling, bad JSON) or by the services
(Django's ``ValidationError``, ``PermissionDenied``, ``Http404``), becomes one object::

    {"type": "urn:meritflow:problem:validation", "title": "The request is not valid", "status": 400,
     "detail": "…", "errors": {"title": ["This field is required."]}}

``errors`` lists the messages by field (``non_field_errors`` for the others); ``detail`` is the first message.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from viewflow.workflow.exceptions import FlowLockFailed

from workflows.views import TASK_BUSY

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:meritflow:problem:"

TITLES = {
    400: _("The request is not valid"),
    401: _("Authentication is needed"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    422: _("The request cannot be processed"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    503: _("Unavailable"),
}
CODES = {
    400: "validation",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    415: "unsupported-media-type",
    428: "precondition-required",
    429: "throttled",
    503: "unavailable",
}

# A service's refusal because of the dossier's state, not the request's content: a 409, not a 400.
STATE_CODES = frozenset({"not_draft", "not_returned", "not_in_progress", "not_withdrawable", "dossier_locked"})


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The resource has changed since you read it; read it again and retry.")
    default_code = "precondition-failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("Send the If-Match header with the ETag you read.")
    default_code = "precondition-required"


def problem(status_code: int, *, detail, errors=None, code: str | None = None, headers=None) -> Response:
    body = {
        "type": TYPE_PREFIX + (code or CODES.get(status_code, "error")),
        "title": str(TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=CONTENT_TYPE, headers=headers)


def _flatten(value):
    """DRF's error tree (lists and dicts of ErrorDetail) as plain strings."""
    if isinstance(value, dict):
        return {str(key): _flatten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_flatten(item) for item in value]
    return str(value)


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_message(value)
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError) and not hasattr(exc, "error_dict") and exc.code in STATE_CODES:
        exc = Conflict(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args[:1] or ()))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, FlowLockFailed):
        exc = Conflict(TASK_BUSY)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    headers = {key: value for key, value in response.headers.items() if key in ("Retry-After", "WWW-Authenticate")}
    code = getattr(exc, "default_code", None) if isinstance(exc, Conflict | PreconditionFailed) else None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        return problem(response.status_code, detail=_first_message(errors), errors=errors, headers=headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data.get("detail", "")
    return problem(response.status_code, detail=_flatten(detail), code=code, headers=headers)
