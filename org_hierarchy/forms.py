"""Forms of the organisation admin (granting a membership, uploading a users file) and the unit picker widget."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Membership, Role
from .selectors import units_in_scope
from .services import delegation_check


class UnitPickerInput(forms.TextInput):
    """Unit ids typed as text, separated by commas; ``workflows.js`` turns it into a search-and-pick control.

    The script asks ``search_url`` (set by a subclass: the app serving the matches) for matches, of the
    consultation candidates of ``process`` when set, else of the user's scope; the form field still checks every
    id it receives.
    """

    search_url = ""

    def __init__(self, *, multiple: bool, process=None, attrs=None):
        super().__init__(attrs)
        self.multiple = multiple
        self.process = process

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        extra = {
            "data-mf-unit-picker": "",
            "data-search-url": str(self.search_url),
            "data-multiple": "true" if self.multiple else "false",
            "data-search-label": _("Search by name or code"),
            "data-remove-label": _("Remove"),
            "data-none-label": _("No unit matches."),
            "autocomplete": "off",
        }
        if self.process is not None:
            extra["data-process"] = str(self.process.pk)
        context["widget"]["attrs"].update(extra)
        return context

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ",".join(str(getattr(item, "pk", item)) for item in value)
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        ids = [part.strip() for value in values for part in str(value or "").split(",") if part.strip()]
        if self.multiple:
            return ids
        return ids[0] if ids else ""


MAX_UPLOAD_BYTES = 10 * 1024 * 1024
NOT_ADMINISTERED = _("You do not administer this unit.")


class MembershipEndForm(forms.ModelForm):
    """Move the end date of a membership, earlier or later; the admin then applies it through ``membership_end``."""

    class Meta:
        model = Membership
        fields = ["valid_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_to"].required = True


class MembershipGrantForm(forms.ModelForm):
    """Validate a new membership; the admin then creates it through ``membership_grant``.

    ``actor`` is the requesting user, set by the admin: a unit administrator grants roles in their subtree only.
    """

    actor = None

    class Meta:
        model = Membership
        fields = ["user", "unit", "role", "valid_from", "valid_to", "acting_for", "note"]

    def clean(self):
        cleaned = super().clean()
        try:
            delegation_check(
                user=cleaned.get("user"), acting_for=cleaned.get("acting_for"), valid_to=cleaned.get("valid_to")
            )
        except ValidationError as exc:
            self.add_error("acting_for" if exc.code == "self_delegation" else "valid_to", exc)
        unit = cleaned.get("unit")
        if unit is not None and not self._administers(unit):
            self.add_error("unit", NOT_ADMINISTERED)
        return cleaned

    def _administers(self, unit) -> bool:
        if self.actor is None or self.actor.is_superuser:
            return True
        return units_in_scope(user=self.actor, roles=[Role.ADMIN]).filter(pk=unit.pk).exists()


class UsersImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Excel .xlsx or CSV (UTF-8, with “,” or “;” between columns), with the headers of the template: "
            "username, role and the unit (branch and unit code, with the level when a code is both a province's "
            "and a commune's; or the unit's number or path); dates dd/mm/yyyy."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 10 MB; split it into smaller files."))
        return upload
