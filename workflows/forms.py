"""Forms of the task pages: one field set per nominee where the step decides per nominee."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import StageOutcome

LEFT_OUT_NEEDS_REASON = _("Give the reason for leaving {name} out.")


class SubmitForm(forms.Form):
    dossier = forms.ModelChoiceField(queryset=None, label=_("Dossier"))

    def __init__(self, *args, dossiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = dossiers


class NomineeFieldsMixin:
    """Add one group of fields per nominee; ``nominee_fields(nominee)`` returns ``{suffix: field}``."""

    def add_nominee_fields(self, nominees):
        self.nominees = list(nominees)
        for nominee in self.nominees:
            for suffix, field in self.nominee_fields(nominee).items():
                self.fields[f"{suffix}_{nominee.pk}"] = field

    def nominee_rows(self):
        """Yield (nominee, [bound fields]) for the template."""
        for nominee in self.nominees:
            yield nominee, [self[name] for name in self.fields if name.endswith(f"_{nominee.pk}")]


class AppraiseForm(NomineeFieldsMixin, forms.Form):
    opinion = forms.CharField(label=_("Appraisal opinion"), widget=forms.Textarea(attrs={"rows": 4}))
    consult_units = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Consult these units before the council (hiệp y)")
    )
    return_reason = forms.CharField(
        label=_("Return for supplement, with this request"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to pass the dossier on."),
    )

    def __init__(self, *args, nominees, consult_candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consult_units"].queryset = consult_candidates
        self.add_nominee_fields(nominees)

    def nominee_fields(self, nominee):
        return {"recommend": forms.BooleanField(label=_("Recommend"), required=False, initial=True)}

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "opinion": data["opinion"],
            "recommendations": {n.pk: data[f"recommend_{n.pk}"] for n in self.nominees},
            "consult_units": list(data["consult_units"]),
            "return_reason": data["return_reason"],
        }


class ConsultForm(forms.Form):
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 4}))
    agrees = forms.BooleanField(label=_("We agree with the proposal"), required=False)

    def service_kwargs(self):
        return {"opinion": self.cleaned_data["opinion"], "agrees": self.cleaned_data["agrees"]}


class VoteForm(NomineeFieldsMixin, forms.Form):
    members = forms.IntegerField(label=_("Council members"), min_value=1)
    minutes = forms.FileField(label=_("Minutes of the meeting (PDF or image)"))

    def __init__(self, *args, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_nominee_fields(nominees)

    def nominee_fields(self, nominee):
        return {
            "present": forms.IntegerField(label=_("Present"), min_value=0),
            "for": forms.IntegerField(label=_("For"), min_value=0),
            "against": forms.IntegerField(label=_("Against"), min_value=0),
        }

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "members": data["members"],
            "minutes": data["minutes"],
            "ballots": {
                n.pk: (data[f"present_{n.pk}"], data[f"for_{n.pk}"], data[f"against_{n.pk}"]) for n in self.nominees
            },
        }


class SignForm(NomineeFieldsMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note or reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or return."),
    )
    letter_number = forms.CharField(label=_("Submission letter number"), required=False, max_length=60)

    def __init__(self, *args, nominees, deciding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        go_on = (
            (StageOutcome.DECIDE, _("Decide the award"))
            if deciding
            else (StageOutcome.FORWARD, _("Forward to the next level with a submission letter"))
        )
        self.fields["outcome"].choices = [
            go_on,
            (StageOutcome.RETURN, _("Return for supplement")),
            (StageOutcome.REJECT, _("Reject")),
        ]
        self.add_nominee_fields(nominees)

    def nominee_fields(self, nominee):
        return {
            "keep": forms.BooleanField(label=_("Keep"), required=False, initial=True),
            "reason": forms.CharField(label=_("Reason if left out"), required=False, max_length=500),
        }

    def clean(self):
        data = super().clean()
        for nominee in self.nominees:
            if not data.get(f"keep_{nominee.pk}") and not (data.get(f"reason_{nominee.pk}") or "").strip():
                self.add_error(f"reason_{nominee.pk}", LEFT_OUT_NEEDS_REASON.format(name=nominee.full_name))
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "note": data["note"],
            "letter_number": data["letter_number"],
            "dropped": {n.pk: data[f"reason_{n.pk}"].strip() for n in self.nominees if not data[f"keep_{n.pk}"]},
        }


class SupplementForm(forms.Form):
    note = forms.CharField(label=_("What was supplemented"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def service_kwargs(self):
        return {"note": self.cleaned_data["note"]}


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), widget=forms.Textarea(attrs={"rows": 3}))
