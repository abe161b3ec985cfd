"""The API's writes go through the pages' own forms: JSON in, form data out, and the forms' fields as schema.

A JSON body becomes the form's data (``true``/``false`` for check boxes, lists for multiple choices), so a field's
validation, its messages and the service it feeds are the page's; the OpenAPI request bodies are derived from the
same form classes, so the schema cannot drift from what is validated.
"""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError


def form_data(request) -> tuple[QueryDict, dict]:
    """Return the request's body as form data and its files (a multipart body is form data already)."""
    data = request.data
    if isinstance(data, QueryDict):
        return data, request.FILES
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("The body must be a JSON object.")]})
    result = QueryDict(mutable=True)
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        result.setlist(str(name), [_text(item) for item in values if item is not None])
    return result, {}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "\x00"  # not a value any field accepts: the field says it is invalid
    return str(value)


def form_errors(form) -> ValidationError:
    """The form's errors by field (``non_field_errors`` for the others), as DRF's validation error."""
    errors = {}
    for name, messages in form.errors.items():
        errors["non_field_errors" if name == forms.forms.NON_FIELD_ERRORS else name] = list(messages)
    return ValidationError(errors)


def field_schema(field) -> dict:
    """The OpenAPI schema of one form field."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        schema = {"type": "array", "items": {"type": "integer"}}
    elif isinstance(field, forms.ModelChoiceField):
        schema = {"type": "integer"}
    elif isinstance(field, forms.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, forms.FileField):
        schema = {"type": "string", "format": "binary"}
    elif isinstance(field, forms.ChoiceField) and field.choices:
        schema = {"type": "string", "enum": [str(value) for value, _label in field.choices if value != ""]}
    else:
        schema = {"type": "string"}
        if getattr(field, "max_length", None):
            schema["maxLength"] = field.max_length
    if field.help_text:
        schema["description"] = field.help_text  # lazy: written in the language the schema is generated in
    # An optional field may be sent as null in JSON; a file is in a multipart body, which has no null: it is absent.
    if not field.required and schema.get("type") not in ("boolean", "array") and not isinstance(field, forms.FileField):
        schema = {
            "oneOf": [schema, {"type": "null"}],
            **({"description": schema.pop("description")} if "description" in schema else {}),
        }
    return schema


def form_schema(form_class, *, exclude=(), optional=False, per_nominee=None, files=False) -> dict:
    """The OpenAPI object schema of a form class's fields; ``per_nominee``: ``{suffix: field}`` of each nominee.

    File fields are only in a multipart body (``files``): a JSON body carries no file.
    """
    fields = {
        name: field
        for name, field in form_class.base_fields.items()
        if name not in exclude and (files or not isinstance(field, forms.FileField))
    }
    schema = {
        "type": "object",
        "properties": {name: field_schema(field) for name, field in fields.items()},
    }
    required = [name for name, field in fields.items() if field.required and not optional]
    if required:
        schema["required"] = required
    if per_nominee:
        schema["patternProperties"] = {
            f"^{suffix}_[0-9]+$": field_schema(field) for suffix, field in per_nominee.items()
        }
    return schema
