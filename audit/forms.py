from django import forms
from django.utils.translation import gettext_lazy as _

from . import facets
from .events import AuditEvent
from .selectors import audited_units

PERIOD_REVERSED = _("The end of the period is before its start.")


class LedgerSearchForm(forms.Form):
    """The auditor's search: unit (with its subtree), period, actor, event, award type, campaign and nominee
    outcome; every field optional."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=_("All my units"))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("Actor"), required=False, max_length=100)
    event = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All actions")), *AuditEvent.choices])
    award_type = forms.ChoiceField(label=_("Award type"), required=False)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    outcome = forms.ChoiceField(label=_("Nominee outcome"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered by the app that owns dossiers (``audit.facets``); a value not offered is an invalid choice.
        self.fields["award_type"].choices = [("", _("All award types")), *facets.choices_of(facets.AWARD_TYPE)]
        self.fields["campaign"].choices = [("", _("All campaigns")), *facets.choices_of(facets.CAMPAIGN)]
        self.fields["outcome"].choices = [("", _("All outcomes")), *facets.choices_of(facets.OUTCOME)]
        # Only the units the auditor may read are offered, so a foreign unit id is an invalid choice.
        self.fields["unit"].queryset = audited_units(user=user).only("pk", "path", "name", "depth")

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            raise forms.ValidationError(PERIOD_REVERSED)
        return cleaned
