"""Forms of the dossier pages; they validate input, the services decide."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org_hierarchy.forms import UnitPickerInput
from org_hierarchy.selectors import units_in_scope
from web.uploads import KeepsUploads

from . import rules, selectors
from .models import (
    FREE_TEXT_MAX_LENGTH,
    AwardRecord,
    AwardType,
    Campaign,
    CommendationKind,
    DossierStatus,
    Nominee,
    SubjectType,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DossierForm(forms.Form):
    """A dossier's heading. A submitter of one unit gets it chosen, and only the awards whose deciding authority
    is on that unit's route (the others are listed with the reason)."""

    originating_unit = forms.ModelChoiceField(
        queryset=None,
        label=_("Originating unit"),
        help_text=_("The unit proposing the commendation; its route leads to the deciding authority."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=255,
        help_text=_("As on the submission letter, e.g. “Proposal for the Certificate of Merit … 2026”."),
    )
    kind = forms.ChoiceField(
        label=_("Commendation kind"),
        choices=CommendationKind.choices,
        help_text=_("Annual (work and achievements), for a campaign, or an unscheduled commendation."),
    )
    award_type = forms.ModelChoiceField(
        queryset=None, label=_("Award type"), help_text=_("The award proposed; it fixes who decides it.")
    )
    campaign = forms.ModelChoiceField(
        queryset=None, label=_("Campaign"), required=False, help_text=_("Needed for a campaign commendation.")
    )
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2200)
    letter_number = forms.CharField(label=_("Submission letter number"), max_length=60, required=False)
    letter_date = forms.DateField(label=_("Submission letter date"), required=False, widget=DATE_INPUT)
    letter_signer = forms.CharField(label=_("Submission letter signer"), max_length=200, required=False)

    def __init__(self, *args, user, with_unit: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = selectors.award_types_active()
        self.fields["campaign"].queryset = selectors.campaigns_open()
        self.fields["year"].initial = timezone.localdate().year
        self.unavailable_awards = []
        if not with_unit:
            del self.fields["originating_unit"]
            return
        units = selectors.submitter_units(user=user)
        self.fields["originating_unit"].queryset = units
        only = list(units[:2])
        if len(only) == 1:
            unit = only[0]
            self.fields["originating_unit"].initial = unit.pk
            self.fields["originating_unit"].empty_label = None
            offered, self.unavailable_awards = selectors.award_types_on_route(unit=unit)
            self.fields["award_type"].queryset = offered


class DossierFilterForm(forms.Form):
    """The dashboard's filters, read from the query string; every field may stay empty."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *DossierStatus.choices]
    )
    campaign = forms.ModelChoiceField(
        queryset=None, label=_("Campaign"), required=False, empty_label=_("All campaigns")
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1945, max_value=2200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = selectors.campaign_list()


class CollectivePicker(UnitPickerInput):
    # The matches come from the workflow app's unit search (the user's scope), as in the step lists' filter.
    search_url = reverse_lazy("workflows:units")


class NomineeForm(forms.ModelForm):
    """A nominee; a collective is tied to its organisation unit, picked among the units of the user's scope."""

    def __init__(self, *args, user, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        if dossier.campaign_id is None:
            del self.fields["subject_group"]
        else:
            groups = self.fields["subject_group"]
            groups.queryset = dossier.campaign.subject_groups.order_by("position", "pk")
            groups.empty_label = _("No group")
        field = self.fields["collective_unit"]
        field.queryset = units_in_scope(user=user)
        field.widget = CollectivePicker(multiple=False)
        field.help_text = _(
            "For a collective: search for its unit by name or code, so the same collective is recognised across "
            "years and dossiers."
        )

    class Meta:
        model = Nominee
        fields = [
            "subject_type",
            "full_name",
            "collective_unit",
            "subject_group",
            "gender",
            "date_of_birth",
            "position",
            "workplace",
            "national_id",
            "achievement_summary",
            "under_discipline",
            "under_investigation",
            "blocking_note",
        ]
        widgets = {"date_of_birth": DATE_INPUT, "achievement_summary": forms.Textarea(attrs={"rows": 4})}


class NomineeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Nominee list (XLSX or CSV)"),
        help_text=_(
            "First row: the column headers of the template (full name, citizen ID number, gender, date of birth, "
            "position…); for a collective, its subject type and unit code; for an individual of a campaign's dossier, "
            "its subject group (the name of one of the campaign's groups). CSV in UTF-8, with “,” or “;”."
        ),
    )


class AttachmentForm(KeepsUploads, forms.Form):
    """A file of the dossier and its kind; the file is kept when only the kind was refused."""

    keep_uploads = ("file",)
    kind = forms.ModelChoiceField(queryset=None, label=_("Document kind"))
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG, PNG, DOCX or XLSX."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = selectors.document_kinds()


class ConfirmForm(forms.Form):
    """An empty form: a POST with its CSRF token confirms a removal."""


class RegisterFilterForm(forms.Form):
    """The award register's search; every field is optional and read from the query string."""

    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=100)
    award_type = forms.ModelChoiceField(label=_("Award type"), queryset=AwardType.objects.none(), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1945, max_value=2200)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    subject_type = forms.ChoiceField(
        label=_("Subject type"), required=False, choices=[("", "---------"), *SubjectType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "---------"), ("valid", _("In force")), ("revoked", _("Revoked"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = AwardType.objects.order_by("-deciding_level", "code")
        self.fields["campaign"].queryset = Campaign.objects.order_by("-period_start", "pk")

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


AWARD_CHOICE = _("%(name)s, golden-book number %(number)s")


class RevocationForm(forms.Form):
    """Revoke one award of the decision, or the whole decision when no award is chosen."""

    award = forms.ModelChoiceField(
        label=_("Award to revoke"),
        queryset=AwardRecord.objects.none(),
        required=False,
        empty_label=_("The whole decision"),
    )
    reference = forms.CharField(
        label=_("Revoking decision"), max_length=120, help_text=_("Number and symbol, e.g. 15/QĐ-UBND.")
    )
    revoked_on = forms.DateField(
        label=_("Date of the revoking decision"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = awards
        self.fields["award"].label_from_instance = lambda award: (
            AWARD_CHOICE
            % {
                "name": award.subject_name,
                "number": award.golden_book_number,
            }
        )


class AwardHistoryImportForm(forms.Form):
    file = forms.FileField(label=_("Award history (CSV or XLSX)"))


class AwardTypeAdminForm(forms.ModelForm):
    """The catalogue form: every rule named must be one the engine knows, so a typo cannot pass everyone."""

    class Meta:
        model = AwardType
        fields = [
            "code",
            "name_vi",
            "name_en",
            "form",
            "deciding_branch",
            "deciding_level",
            "eligible_subjects",
            "vote_threshold_pct",
            "vote_denominator",
            "vote_rule_reference",
            "simplified_allowed",
            "public_posting_days",
            "public_posting_reference",
            "required_documents",
            "stage_deadlines",
            "reminder_days_before",
            "escalation_days",
            "escalation_reference",
            "bonus_coefficient",
            "rules",
            "is_active",
        ]

    def clean_rules(self):
        specs = self.cleaned_data["rules"]
        unknown = sorted(
            {spec.get("rule") for spec in rules.all_specs(specs) if spec.get("rule") not in rules.REGISTRY}, key=str
        )
        if unknown:
            raise forms.ValidationError(
                _("Unknown rules: %(names)s. Known rules: %(known)s.")
                % {"names": ", ".join(map(str, unknown)), "known": ", ".join(sorted(rules.REGISTRY))}
            )
        return specs


class PostingCommentForm(forms.Form):
    """A comment on a public posting: about one posted nominee or the whole list."""

    nominee = forms.TypedChoiceField(label=_("About"), coerce=int, empty_value=None, required=False)
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=FREE_TEXT_MAX_LENGTH
    )
    received_from = forms.CharField(
        label=_("Received from"),
        max_length=255,
        required=False,
        help_text=_("For a comment the office received by letter, in person or by telephone: who sent it."),
    )

    def __init__(self, *args, posting, office: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].choices = [
            ("", _("The whole list")),
            *((nominee["id"], nominee["name"]) for nominee in posting.nominees),
        ]
        if not office:
            del self.fields["received_from"]
