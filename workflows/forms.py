"""Forms of the task pages: one field set per nominee where the step decides per nominee."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from nominations.models import AwardType, Campaign, VoteDenominator, check_free_text
from nominations.numbers import percent
from org_hierarchy import forms as org_forms
from web.uploads import KeepsUploads

from .deadlines import Sla
from .models import StageOutcome

LEFT_OUT_NEEDS_REASON = _("Give the reason for leaving {name} out.")
MINUTES_REQUIRED = _("Attach the minutes of the meeting.")
PRESENT_ABOVE_MEMBERS = _("{name}: more members present than the council has.")
VOTES_ABOVE_PRESENT = _("{name}: the votes for and against add up to more than the members present.")
CHOOSE_AN_ACT = _("Choose what to do with the dossier with one of the buttons.")
RETURN_NEEDS_REQUEST = _("To return the dossier, say what the submitter must supplement.")
CONSULT_NEEDS_UNITS = _("To ask for opinions, choose at least one unit.")
# Primary keys are 32-bit integer columns: a longer number names nothing (and must not reach the database).
ID_MAX = 2**31 - 1


def is_id(text: str) -> bool:
    """Tell whether ``text`` may be a primary key: digits within a 32-bit integer column's range."""
    return text.isdigit() and int(text) <= ID_MAX


class UnitPickerInput(org_forms.UnitPickerInput):
    search_url = reverse_lazy("workflows:units")


class UnitsField(forms.ModelMultipleChoiceField):
    """Units chosen by id among the field's queryset; what cannot be an id is refused before any query."""

    def _check_values(self, value):
        for pk in value:
            if not is_id(str(pk)):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class TaskFilterForm(forms.Form):
    """The filters of the step lists, read from the query string; each is optional and they combine."""

    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), required=False, label=_("Campaign"), empty_label=_("All campaigns")
    )
    award_type = forms.ModelChoiceField(
        queryset=AwardType.objects.none(), required=False, label=_("Award"), empty_label=_("All awards")
    )
    unit = forms.IntegerField(
        required=False,
        label=_("Unit"),
        min_value=1,
        max_value=ID_MAX,
        widget=UnitPickerInput(multiple=False),
        help_text=_("The step's unit, or the unit the dossier comes from or a unit above it."),
    )
    deadline = forms.ChoiceField(
        required=False,
        label=_("Deadline"),
        choices=[
            ("", _("Any deadline")),
            (Sla.OVERDUE, _("Overdue")),
            (Sla.DUE_SOON, _("Due soon")),
            (Sla.ON_TIME, _("Later")),
        ],
    )

    def __init__(self, *args, campaigns, award_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["award_type"].queryset = award_types

    def filters(self) -> dict:
        """Return the valid filters as ``selectors.tasks_filter`` keywords; values that are not valid are left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "campaign": data.get("campaign"),
            "award_type": data.get("award_type"),
            "unit_id": data.get("unit"),
            "sla": data.get("deadline") or "",
        }


class SubmitForm(forms.Form):
    """The draft to submit: fixed when the page was opened from that dossier, else chosen among the user's drafts."""

    dossier = forms.ModelChoiceField(queryset=None, label=_("Dossier"))

    def __init__(self, *args, dossiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = dossiers
        chosen = self.initial.get("dossier")
        self.fixed_dossier = dossiers.filter(pk=chosen).first() if chosen and is_id(str(chosen)) else None
        if self.fixed_dossier is not None:
            self.fields["dossier"].widget = forms.HiddenInput()


class NomineeFieldsMixin:
    """Add one group of fields per nominee; ``nominee_fields(nominee)`` returns ``{suffix: field}``."""

    def add_nominee_fields(self, nominees):
        self.nominees = list(nominees)
        # The names per nominee are kept so the rows are found without scanning every field for each nominee.
        self.nominee_field_names = {}
        for nominee in self.nominees:
            names = self.nominee_field_names[nominee.pk] = []
            for suffix, field in self.nominee_fields(nominee).items():
                name = f"{suffix}_{nominee.pk}"
                self.fields[name] = field
                names.append(name)

    def nominee_rows(self):
        """Yield (nominee, [bound fields]) for the template."""
        for nominee in self.nominees:
            yield nominee, [self[name] for name in self.nominee_field_names[nominee.pk]]


class Act:
    """One of a step's acts: the value its button posts as ``act``, its label and the question it asks first."""

    def __init__(self, value: str, label, confirm, *, primary: bool = False):
        self.value, self.label, self.confirm, self.primary = value, label, confirm, primary


class AppraiseForm(NomineeFieldsMixin, forms.Form):
    """The appraisal: one opinion, a recommendation per nominee, and one button per act.

    "To the council" passes the dossier on, "Return for supplement" needs the request of what to supplement,
    "Ask for opinions" needs the units to consult; the text of one act is never read as another act.
    """

    TO_COUNCIL, RETURN, CONSULT = "council", "return", "consult"
    acts = (
        Act(TO_COUNCIL, _("To the council"), _("Pass the dossier on to the council?"), primary=True),
        Act(RETURN, _("Return for supplement"), _("Return the dossier to its submitter with this request?")),
        Act(CONSULT, _("Ask for opinions"), _("Ask the chosen units for their opinion before the council?")),
    )

    opinion = forms.CharField(
        label=_("Appraisal opinion"), validators=[check_free_text], widget=forms.Textarea(attrs={"rows": 4})
    )
    return_reason = forms.CharField(
        label=_("What the submitter must supplement"),
        required=False,
        validators=[check_free_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only to return the dossier."),
    )
    consult_units = UnitsField(
        queryset=None,
        required=False,
        label=_("Units to consult before the council (hiệp y)"),
        help_text=_("Search for a unit by name or code and choose it; without the search, type unit numbers."),
    )

    def __init__(self, *args, nominees, consult_candidates, process, **kwargs):
        super().__init__(*args, **kwargs)
        # A ministry stage may consult thousands of units: a search box, not a list of every one.
        self.fields["consult_units"].queryset = consult_candidates
        self.fields["consult_units"].widget = UnitPickerInput(multiple=True, process=process)
        self.add_nominee_fields(nominees)

    def nominee_fields(self, nominee):
        return {"recommend": forms.BooleanField(label=_("Recommend"), required=False, initial=True)}

    def clean(self):
        data = super().clean()
        act = self.data.get("act", "")
        if act not in {a.value for a in self.acts}:
            raise ValidationError(CHOOSE_AN_ACT, code="no_act")
        data["act"] = act
        if act == self.RETURN and not (data.get("return_reason") or "").strip():
            self.add_error("return_reason", RETURN_NEEDS_REQUEST)
        if act == self.CONSULT and not data.get("consult_units"):
            self.add_error("consult_units", CONSULT_NEEDS_UNITS)
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            "opinion": data["opinion"],
            "recommendations": {n.pk: data[f"recommend_{n.pk}"] for n in self.nominees},
        }
        if data["act"] == self.RETURN:
            kwargs["return_reason"] = data["return_reason"]
        elif data["act"] == self.CONSULT:
            kwargs["consult_units"] = list(data["consult_units"])
        return kwargs


class ConsultForm(forms.Form):
    opinion = forms.CharField(
        label=_("Opinion"), validators=[check_free_text], widget=forms.Textarea(attrs={"rows": 4})
    )
    agrees = forms.BooleanField(label=_("We agree with the proposal"), required=False)

    def service_kwargs(self):
        return {"opinion": self.cleaned_data["opinion"], "agrees": self.cleaned_data["agrees"]}


def vote_rule(award_type: AwardType) -> str:
    """Say the award type's council threshold in words, with its denominator and legal reference."""
    values = {"threshold": percent(award_type.vote_threshold_pct)}
    if award_type.vote_denominator == VoteDenominator.ALL_MEMBERS:
        rule = _("A nominee passes with votes for from at least {threshold} of all the council's members.")
    else:
        rule = _("A nominee passes with votes for from at least {threshold} of the members present.")
    rule = rule.format(**values)
    if award_type.vote_rule_reference:
        rule = _("{rule} ({reference})").format(rule=rule, reference=award_type.vote_rule_reference)
    return rule


class VoteForm(KeepsUploads, NomineeFieldsMixin, forms.Form):
    """The council's ballot per nominee and the minutes; a row's inconsistent count is shown on that row.

    The minutes survive a refused attempt (``KeepsUploads``), so the secretary need not choose the file again.
    """

    keep_uploads = ("minutes",)
    members = forms.IntegerField(label=_("Council members"), min_value=1)
    minutes = forms.FileField(label=_("Minutes of the meeting (PDF or image)"), required=False)

    def __init__(self, *args, nominees, award_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = vote_rule(award_type)
        self.add_nominee_fields(nominees)

    def nominee_fields(self, nominee):
        return {
            "present": forms.IntegerField(label=_("Present"), min_value=0),
            "for": forms.IntegerField(label=_("For"), min_value=0),
            "against": forms.IntegerField(label=_("Against"), min_value=0),
        }

    def clean(self):
        data = super().clean()
        if not data.get("minutes") and "minutes" not in self.errors:
            self.add_error("minutes", MINUTES_REQUIRED)
        members = data.get("members")
        for nominee in self.nominees:
            present, votes_for, against = (data.get(f"{key}_{nominee.pk}") for key in ("present", "for", "against"))
            if None in (present, votes_for, against):
                continue
            if members is not None and present > members:
                self.add_error(f"present_{nominee.pk}", PRESENT_ABOVE_MEMBERS.format(name=nominee.full_name))
            elif votes_for + against > present:
                self.add_error(f"for_{nominee.pk}", VOTES_ABOVE_PRESENT.format(name=nominee.full_name))
        return data

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
        validators=[check_free_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or return."),
    )
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Today if left empty. The number is registered today whatever the date."),
    )

    def __init__(self, *args, nominees, deciding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not deciding:
            del self.fields["decision_date"]
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
            "dropped": {n.pk: data[f"reason_{n.pk}"].strip() for n in self.nominees if not data[f"keep_{n.pk}"]},
            **({"decision_date": data["decision_date"]} if data.get("decision_date") else {}),
        }


class SupplementForm(forms.Form):
    note = forms.CharField(
        label=_("What was supplemented"),
        required=False,
        validators=[check_free_text],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def service_kwargs(self):
        return {"note": self.cleaned_data["note"]}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"), validators=[check_free_text], widget=forms.Textarea(attrs={"rows": 3})
    )
