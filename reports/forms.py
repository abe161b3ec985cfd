from django import forms
from django.utils.translation import gettext_lazy as _

from nominations.models import AwardForm, AwardType, Campaign, CampaignSubjectGroup, SubjectType
from nominations.selectors import campaign_list
from org_hierarchy.models import Level, OrgUnit

from .statistics import Criteria, Outcome

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
NO_CAMPAIGN = "none"
NO_GROUP = "none"


class DayField(forms.DateField):
    """A date typed as dd/mm/yyyy (the ISO form is accepted too)."""

    def __init__(self, **kwargs):
        super().__init__(
            input_formats=DATE_FORMATS,
            widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
            **kwargs,
        )


class StatisticsFilterForm(forms.Form):
    """The statistics' filters, read from the query string; every field may stay empty."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=1945, max_value=2200)
    submitted_from = DayField(label=_("Submitted from"), required=False)
    submitted_to = DayField(label=_("Submitted until"), required=False)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    form = forms.ChoiceField(
        label=_("Form of award"), required=False, choices=[("", _("All forms")), *AwardForm.choices]
    )
    award_type = forms.ModelChoiceField(
        queryset=AwardType.objects.order_by("-deciding_level", "name_vi"),
        label=_("Award type"),
        required=False,
        empty_label=_("All award types"),
    )
    subject_type = forms.ChoiceField(
        label=_("Subject kind"), required=False, choices=[("", _("All kinds")), *SubjectType.choices]
    )
    province = forms.ChoiceField(label=_("Province or city"), required=False)
    # Set by the links of the table by subject group: a group's id, or "none" for the individuals in no group.
    subject_group = forms.CharField(label=_("Subject group"), required=False, widget=forms.HiddenInput)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    direct = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, scope, **kwargs):
        """``scope`` is the units the user reports on: the province list offers only the localities in it."""
        super().__init__(*args, **kwargs)
        campaigns = list(campaign_list())
        self.campaigns = {str(c.pk): c for c in campaigns}
        self.fields["campaign"].choices = [
            ("", _("All campaigns")),
            *((str(c.pk), c.name) for c in campaigns),
            (NO_CAMPAIGN, _("No campaign")),
        ]
        # One entry per locality: the People's Committee's name where there is one (it sorts before the police).
        provinces = {}
        for code, name in (
            scope.filter(level=Level.PROVINCE)
            .exclude(admin_code="")
            .order_by("branch", "name")
            .values_list("admin_code", "name")
        ):
            provinces.setdefault(code, name)
        self.fields["province"].choices = [
            ("", _("All provinces and cities")),
            *sorted(provinces.items(), key=lambda item: item[1]),
        ]

    def clean_subject_group(self):
        value = self.cleaned_data["subject_group"].strip()
        if value in ("", NO_GROUP):
            return value
        group = CampaignSubjectGroup.objects.filter(pk=value).first() if value.isdigit() else None
        if group is None:
            raise forms.ValidationError(_("No campaign has this subject group."), code="unknown_group")
        return group

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end of the period is before its start."))
        return cleaned

    def criteria(self, *, unit: OrgUnit | None) -> Criteria:
        """The valid filters as criteria (``unit`` is the drill-down unit, already checked against the scope)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        campaign = data.get("campaign", "")
        return Criteria(
            year=data.get("year"),
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            campaign=self.campaigns.get(campaign),
            without_campaign=campaign == NO_CAMPAIGN,
            award_type=data.get("award_type"),
            form=data.get("form", ""),
            subject_type=data.get("subject_type", ""),
            subject_group=data["subject_group"]
            if isinstance(data.get("subject_group"), CampaignSubjectGroup)
            else None,
            without_group=data.get("subject_group") == NO_GROUP,
            province_code=data.get("province", ""),
            unit=unit,
            direct=bool(data.get("direct")) and unit is not None,
        )


class NomineeListForm(StatisticsFilterForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[(value, label) for value, label in Outcome.LABELS.items()]
    )


class YearlyReportForm(forms.Form):
    """The text a unit writes in its yearly report: results by each of the campaign's contents, then the rest."""

    lessons = forms.CharField(label=_("Lessons learned"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    proposals = forms.CharField(
        label=_("Proposals and recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.contents = list(campaign.contents.all())
        content_fields = {
            f"content_{content.pk}": forms.CharField(
                label=_("Results: %(content)s") % {"content": content.text},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            for content in self.contents
        }
        self.fields = {**content_fields, **self.fields}

    def results(self) -> list[dict]:
        return [
            {"content": content.pk, "text": self.cleaned_data.get(f"content_{content.pk}", "")}
            for content in self.contents
        ]


class YearlyReportPickForm(forms.Form):
    """Which report to open: a campaign, a year and one of the units the user reports for."""

    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), label=_("Campaign"))
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2200)
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_list()
        self.fields["unit"].queryset = units
