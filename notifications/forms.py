from django import forms
from django.utils.translation import gettext_lazy as _

from . import kinds
from .models import EmailMode

DEFAULT_FIELD = "default"


class PreferencesForm(forms.Form):
    """One e-mail mode for all event kinds, and one per kind the user has met, each optional to override."""

    default = forms.ChoiceField(
        label=_("E-mail for all notifications"),
        choices=EmailMode.choices,
        help_text=_("Used for every kind of notification that has no rule of its own below."),
    )

    def __init__(self, *args, event_kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_kinds = list(event_kinds)
        for event in self.event_kinds:
            self.fields[self.field_name(event)] = forms.ChoiceField(
                label=kinds.label(event),
                choices=[("", _("As for all notifications")), *EmailMode.choices],
                required=False,
            )

    @staticmethod
    def field_name(event: str) -> str:
        return f"event:{event}"

    @classmethod
    def initial_from(cls, preferences) -> dict[str, str]:
        """Return the form's initial values from the user's preference rows."""
        initial = {DEFAULT_FIELD: EmailMode.IMMEDIATE}
        for preference in preferences:
            initial[cls.field_name(preference.event) if preference.event else DEFAULT_FIELD] = preference.email_mode
        return initial

    def modes(self) -> dict[str, str]:
        """Return the chosen mode per event kind: "" for the default rule, an empty mode to follow the default."""
        modes = {"": self.cleaned_data[DEFAULT_FIELD]}
        for event in self.event_kinds:
            modes[event] = self.cleaned_data[self.field_name(event)]
        return modes
