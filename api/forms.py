import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Scope
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
