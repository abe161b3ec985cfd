import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NO_CODE = _("Type the code printed under the QR code.")


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("Printed under the QR code of the certificate, e.g. 7KQ2-M9XD-4T."),
    )

    def clean_code(self):
        code = re.sub(r"[^0-9A-Za-z-]", "", self.cleaned_data["code"])
        if not code:
            raise ValidationError(NO_CODE, code="no_code")
        return code
