import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Scope, WebhookEvent
from .services import ACCOUNT_ROLES

DEFAULT_TOKEN_DAYS = 90


class AccountForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("The system that will call the API, e.g. “Provincial LGSP”.")
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["role"].choices = [(role.value, role.label) for role in ACCOUNT_ROLES]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("Where the token is used, e.g. “production”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )
    expires_on = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(days=DEFAULT_TOKEN_DAYS)


class ConfirmForm(forms.Form):
    pass


class SubscriptionForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("system", "Name"),
        max_length=200,
        help_text=_("The system told of the events, e.g. “Provincial LGSP”."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        help_text=_("The system is told of the dossiers of this unit and the units under it."),
    )
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        help_text=_("Where meritflow sends each event by a signed POST; it must start with https://."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
