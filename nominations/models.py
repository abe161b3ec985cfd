"""Award catalogue, campaigns, dossiers with their nominees and attachments, decisions and the award registry.

Everything that differs between awards (who decides, vote thresholds, deadlines, required documents, eligibility
rules) is data on ``AwardType`` so that a new decree changes rows, not code. State changes go through
``nominations.services``; never save these models directly outside a service.
"""

import datetime
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org_hierarchy.models import Branch, Level

national_id_validator = RegexValidator(
    regex=r"^\d{12}$", message=_("A citizen ID number has exactly 12 digits."), code="invalid_national_id"
)


class AwardForm(models.TextChoices):
    """Forms of commendation and emulation titles (Law 06/2022 Art 9)."""

    BANG_KHEN = "bang_khen", _("Diploma of merit (Bằng khen)")
    GIAY_KHEN = "giay_khen", _("Certificate of merit (Giấy khen)")
    EMULATION_TITLE = "emulation_title", _("Emulation title")
    EMULATION_FLAG = "emulation_flag", _("Emulation flag")
    COMMEMORATIVE_MEDAL = "commemorative_medal", _("Commemorative medal")
    ORDER = "order", _("Order")
    MEDAL = "medal", _("Medal")


class SubjectType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Collective")
    HOUSEHOLD = "household", _("Household")


class CommendationKind(models.TextChoices):
    """Commendation types (Law 06/2022 Art 8)."""

    ANNUAL = "annual", _("Annual (merit and achievement)")
    AD_HOC = "ad_hoc", _("Ad hoc")
    CAMPAIGN = "campaign", _("Campaign or thematic")
    CONTRIBUTION = "contribution", _("Career contribution")


class VoteDenominator(models.TextChoices):
    ALL_MEMBERS = "all_members", _("All council members")
    PRESENT_MEMBERS = "present_members", _("Members present")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


def _localized(obj, base: str) -> str:
    """Return the English name when English is active and filled in, the Vietnamese one otherwise."""
    if (get_language() or "").startswith("en"):
        return getattr(obj, f"{base}_en") or getattr(obj, f"{base}_vi")
    return getattr(obj, f"{base}_vi")


class DocumentKind(models.Model):
    """A kind of document a dossier may carry (submission letter, achievement report, council minutes…)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document kind")
        verbose_name_plural = _("document kinds")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _localized(self, "name")


# Decree 30/2020 Annex I: the bases every commendation decision cites (Law 06/2022 and its Decree 98/2023); an
# award type adds its own above them (the issuer's organisation law, a campaign's plan) in ``legal_bases``.
DEFAULT_LEGAL_BASES = (
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;\n"
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số "
    "điều của Luật Thi đua, khen thưởng;"
)
DEFAULT_RECIPIENTS = "Như Điều 3;\nLưu: VT, TĐKT."


class AwardType(models.Model):
    """A commendation or emulation title and everything the engine needs to route and check it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    form = models.CharField(_("form"), max_length=30, choices=AwardForm.choices)
    deciding_branch = models.CharField(_("deciding branch"), max_length=20, choices=Branch.choices)
    deciding_level = models.PositiveSmallIntegerField(_("deciding level"), choices=Level.choices)
    eligible_subjects = models.JSONField(
        _("eligible subjects"), default=list, help_text=_("List of subject types: individual, collective, household.")
    )
    vote_threshold_pct = models.DecimalField(
        _("council vote threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    vote_denominator = models.CharField(
        _("vote denominator"), max_length=20, choices=VoteDenominator.choices, default=VoteDenominator.PRESENT_MEMBERS
    )
    vote_rule_reference = models.CharField(
        _("legal reference of the vote rule"),
        max_length=255,
        blank=True,
        help_text=_("The text that sets the threshold and its denominator, e.g. Decree 98/2023/NĐ-CP Art. 48."),
    )
    simplified_allowed = models.BooleanField(
        _("simplified procedure allowed"),
        default=False,
        help_text=_("Law 06/2022 Art 85: ad-hoc feats may skip the council vote."),
    )
    public_posting_days = models.PositiveSmallIntegerField(
        _("public posting (working days)"),
        default=0,
        help_text=_(
            "Working days the deciding level posts the list of proposed nominees before its council votes; "
            "0 means no public posting is required."
        ),
    )
    public_posting_reference = models.CharField(
        _("legal reference of the public posting"),
        max_length=255,
        blank=True,
        help_text=_("The text that requires the posting and its length, e.g. Decree 98/2023/NĐ-CP Art. 46."),
    )
    required_documents = models.ManyToManyField(
        DocumentKind, blank=True, related_name="award_types", verbose_name=_("required documents")
    )
    stage_deadlines = models.JSONField(
        _("deadline per stage (working days)"),
        default=dict,
        blank=True,
        help_text=_('Working days per stage level, e.g. {"commune": 10, "province": 15, "ministry": 20}.'),
    )
    reminder_days_before = models.PositiveSmallIntegerField(_("reminder (working days before the deadline)"), default=2)
    escalation_days = models.JSONField(
        _("escalation to the level above (working days overdue)"),
        default=dict,
        blank=True,
        help_text=_(
            "Working days past a stage's deadline after which its open step goes to the emulation office of the "
            'level above, per stage level, e.g. {"commune": 5, "province": 5}. A level left out never escalates.'
        ),
    )
    escalation_reference = models.CharField(
        _("legal reference of the escalation"),
        max_length=255,
        blank=True,
        help_text=_("The text that sets the escalation, if there is one, e.g. a province's internal procedure."),
    )
    bonus_coefficient = models.DecimalField(
        _("bonus coefficient"), max_digits=6, decimal_places=2, default=0, help_text=_("Multiple of the base salary.")
    )
    rules = models.JSONField(
        _("eligibility rules"),
        default=list,
        blank=True,
        help_text=_('List of rule specifications, e.g. [{"rule": "consecutive_titles", "years": 3, ...}].'),
    )
    legal_bases = models.TextField(
        _("legal bases of the decision"),
        default=DEFAULT_LEGAL_BASES,
        help_text=_("One “Căn cứ …” line per legal basis, printed in this order above the articles."),
    )
    recipients = models.TextField(
        _("recipients of the decision (Nơi nhận)"),
        default=DEFAULT_RECIPIENTS,
        help_text=_("One recipient per line, printed at the foot of the decision."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(m2m_fields=[required_documents])

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["-deciding_level", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _localized(self, "name")

    def clean(self):
        errors = {}
        if not isinstance(self.eligible_subjects, list) or not set(self.eligible_subjects) <= set(SubjectType.values):
            errors["eligible_subjects"] = _("Use a list of: %(values)s.") % {"values": ", ".join(SubjectType.values)}
        slugs = {level.slug for level in Level}
        for name in ("stage_deadlines", "escalation_days"):
            days_by_level = getattr(self, name)
            if not isinstance(days_by_level, dict) or any(
                key not in slugs or not isinstance(days, int) or days < 1 for key, days in days_by_level.items()
            ):
                errors[name] = _("Use whole numbers of working days keyed by level: %(values)s.") % {
                    "values": ", ".join(sorted(slugs))
                }
        if not isinstance(self.rules, list) or not all(
            isinstance(spec, dict) and spec.get("rule") for spec in self.rules
        ):
            errors["rules"] = _('Use a list of objects, each with a "rule" name.')
        if errors:
            raise ValidationError(errors)

    def stage_deadline_days(self, level: int, default: int = 10) -> int:
        """Return the working days allowed at a stage of this level (10 when the catalogue says nothing)."""
        return int(self.stage_deadlines.get(Level(level).slug, default))

    def escalation_days_at(self, level: int) -> int | None:
        """Return the working days overdue after which a step of this level goes up a level (None: it never does)."""
        days = self.escalation_days.get(Level(level).slug)
        return int(days) if days else None


class Campaign(models.Model):
    """An emulation movement (phong trào thi đua) that dossiers can be filed under."""

    name = models.CharField(_("name"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), null=True, blank=True)
    launching_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("launching unit")
    )
    submission_opens = models.DateField(
        _("submissions open"), null=True, blank=True, help_text=_("First day dossiers are received; empty: at once.")
    )
    submission_deadline = models.DateField(_("submission deadline"), null=True, blank=True)
    report_deadline = models.CharField(
        _("report deadline"), max_length=100, blank=True, help_text=_("E.g. 30 November each year.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="campaign_valid_period",
            ),
            models.CheckConstraint(
                condition=Q(submission_opens__isnull=True)
                | Q(submission_deadline__isnull=True)
                | Q(submission_deadline__gte=models.F("submission_opens")),
                name="campaign_valid_submission_window",
                violation_error_message=_("The submission deadline cannot come before the submissions open."),
            ),
        ]

    def __str__(self):
        return self.name


class CampaignContent(models.Model):
    """One emulation content of a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contents")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("content"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign content")
        verbose_name_plural = _("campaign contents")
        ordering = ["campaign", "position"]

    def __str__(self):
        return self.text[:80]


class CampaignSubjectGroup(models.Model):
    """A group of subjects a campaign addresses, with its criteria and the text that defines it.

    An individual nominee of a dossier filed under the campaign may be counted in one of its groups
    (``Nominee.subject_group``); the statistics and the yearly report count the individuals by group.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="subject_groups")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name_vi = models.CharField(_("Vietnamese name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    criteria = models.TextField(_("criteria"), blank=True)
    legal_reference = models.CharField(
        _("legal reference"),
        max_length=255,
        blank=True,
        help_text=_("The text that defines the group, e.g. the plan issued with Decision 2447/QĐ-TTg, section II."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign subject group")
        verbose_name_plural = _("campaign subject groups")
        ordering = ["campaign", "position"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _localized(self, "name")


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for supplement")
    DECIDED = "decided", _("Decided")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


EDITABLE_STATUSES = (DossierStatus.DRAFT, DossierStatus.RETURNED)
LIVE_STATUSES = (DossierStatus.DRAFT, DossierStatus.SUBMITTED, DossierStatus.RETURNED, DossierStatus.DECIDED)


class Dossier(models.Model):
    """A nomination dossier (hồ sơ đề nghị khen thưởng) and its submission letter (tờ trình)."""

    originating_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("originating unit")
    )
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("commendation kind"), max_length=20, choices=CommendationKind.choices)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("campaign"),
    )
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("award type")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1945), MaxValueValidator(2200)])
    letter_number = models.CharField(_("submission letter number"), max_length=60, blank=True)
    letter_date = models.DateField(_("submission letter date"), null=True, blank=True)
    letter_signer = models.CharField(_("submission letter signer"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DossierStatus.choices, default=DossierStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    version_digest = models.CharField(_("version digest"), max_length=64, blank=True)
    current_stage_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current stage unit"),
    )
    returned_reason = models.TextField(_("reason for return"), blank=True)
    returned_by_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned by"),
    )
    closed_reason = models.TextField(_("reason for withdrawal or rejection"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["originating_unit", "status"], name="dossier_unit_status"),
            models.Index(fields=["award_type", "year"], name="dossier_award_year"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def uses_simplified_procedure(self) -> bool:
        """Law 06/2022 Art 85: ad-hoc awards may skip the council vote when the award type allows it."""
        return self.award_type.simplified_allowed and self.kind == CommendationKind.AD_HOC


class RouteStop(models.Model):
    """One stage unit of a dossier's route, computed and stored at submission (architecture §3)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="route_stops")
    position = models.PositiveSmallIntegerField(_("order"))
    unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="route_stops", verbose_name=_("unit")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["dossier", "position"]
        constraints = [models.UniqueConstraint(fields=["dossier", "position"], name="routestop_unique_position")]

    def __str__(self):
        return f"{self.position}: {self.unit}"


class StageEscalation(models.Model):
    """A stage step left open past its deadline by the award type's working days, sent up to the level above.

    The emulation office (the appraisers) of the stage unit's nearest unit of a higher level is told, and the
    dossier and both units' dashboards show the mark while the step stays open. One per step and level above.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="escalations")
    task = models.ForeignKey("viewflow.Task", on_delete=models.PROTECT, related_name="+", verbose_name=_("step"))
    stage_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("stage unit")
    )
    to_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit",
        on_delete=models.PROTECT,
        related_name="escalations_received",
        verbose_name=_("escalated to"),
    )
    stage_deadline = models.DateField(_("stage deadline"))
    working_days = models.PositiveSmallIntegerField(_("working days overdue"))
    reference = models.CharField(_("legal reference"), max_length=255, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation to the level above")
        verbose_name_plural = _("escalations to the level above")
        ordering = ["-escalated_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["task", "to_unit"], name="stageescalation_once_per_step")]

    def __str__(self):
        return f"{self.dossier} → {self.to_unit}"


class NomineeOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    AWARDED = "awarded", _("Awarded")
    DROPPED = "dropped", _("Dropped")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Sanity limits on what people type (not legal criteria): a date of birth since 1900 and not in the future, and
# free text a reader can still read (a page of a report is about 3,000 characters).
BIRTH_DATE_MIN = datetime.date(1900, 1, 1)
FREE_TEXT_MAX_LENGTH = 10_000
BIRTH_DATE_OUT_OF_RANGE = _("A date of birth must be between 01/01/1900 and today.")
TEXT_TOO_LONG = _("This text has %(length)d characters; at most %(max)d are accepted.")


def check_free_text(value: str) -> None:
    """Refuse a free text longer than ``FREE_TEXT_MAX_LENGTH`` characters."""
    if value and len(value) > FREE_TEXT_MAX_LENGTH:
        raise ValidationError(
            TEXT_TOO_LONG, code="text_too_long", params={"length": len(value), "max": FREE_TEXT_MAX_LENGTH}
        )


class PublicPosting(models.Model):
    """The list of a dossier's proposed nominees posted by the deciding unit before its council votes (công khai).

    Opened by the flow when the dossier reaches the deciding level's council, for the award type's working days;
    the units concerned (the posting unit's subtree and the units above it) read it and send comments until it
    closes; the council's vote opens when the timer dispatcher closes it. ``nominees`` is the list as posted.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="postings")
    unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="postings", verbose_name=_("posting unit")
    )
    opens_on = models.DateField(_("posted on"))
    closes_on = models.DateField(_("open until"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    reference = models.CharField(_("legal reference"), max_length=255, blank=True)
    nominees = models.JSONField(_("nominees posted"), default=list)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public posting")
        verbose_name_plural = _("public postings")
        ordering = ["-opens_on", "-pk"]
        indexes = [models.Index(fields=["unit", "-opens_on"], name="posting_unit_opens")]

    def __str__(self):
        return f"{self.dossier} · {self.opens_on:%d/%m/%Y}–{self.closes_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        """Comments are received until the period's last day, while the dossier is still on its way."""
        return (
            self.closed_at is None
            and timezone.localdate() <= self.closes_on
            and self.dossier.status == DossierStatus.SUBMITTED
        )


class PostingComment(models.Model):
    """A comment received on a public posting: sent from the page by someone of a unit concerned, or received by
    the posting unit's emulation office another way (letter, visit, telephone) and entered by it."""

    posting = models.ForeignKey(PublicPosting, on_delete=models.CASCADE, related_name="comments")
    nominee_id = models.PositiveIntegerField(_("about the nominee"), null=True, blank=True)
    text = models.TextField(_("comment"), validators=[check_free_text])
    received_from = models.CharField(
        _("received from"),
        max_length=255,
        blank=True,
        help_text=_("Who sent it, when the emulation office enters a comment it received another way."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    author_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment on a public posting")
        verbose_name_plural = _("comments on public postings")
        ordering = ["received_at", "pk"]

    def __str__(self):
        return self.text[:80]


class Nominee(models.Model):
    """A person, collective or household proposed in a dossier, with its own outcome."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="nominees")
    list_position = models.PositiveIntegerField(_("position in list"), default=0)
    subject_type = models.CharField(_("subject type"), max_length=20, choices=SubjectType.choices)
    full_name = models.CharField(_("full name or collective name"), max_length=255)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    workplace = models.CharField(_("workplace"), max_length=255, blank=True)
    national_id = models.CharField(
        _("citizen ID number"), max_length=12, blank=True, validators=[national_id_validator]
    )
    collective_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collective (organisation unit)"),
    )
    subject_group = models.ForeignKey(
        CampaignSubjectGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominees",
        verbose_name=_("subject group"),
        help_text=_("For an individual of a dossier filed under a campaign: the campaign's group they belong to."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("user account"),
        help_text=_("The nominee's own account; its holder may not act on this dossier."),
    )
    achievement_summary = models.TextField(_("achievement summary"), blank=True)
    under_discipline = models.BooleanField(_("under disciplinary review"), default=False)
    under_investigation = models.BooleanField(_("under investigation or inspection"), default=False)
    blocking_note = models.TextField(_("note on blocking status"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=NomineeOutcome.choices, default=NomineeOutcome.PENDING
    )
    outcome_stage_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome stage"),
    )
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome by"),
    )
    outcome_reason = models.TextField(_("outcome reason"), blank=True)
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)
    decision = models.ForeignKey(
        "Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_nominees",
        verbose_name=_("decision"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["dossier", "list_position", "pk"]
        indexes = [
            models.Index(fields=["national_id"], name="nominee_national_id"),
            models.Index(fields=["dossier", "outcome"], name="nominee_dossier_outcome"),
        ]

    def __str__(self):
        return self.full_name

    def clean(self):
        errors = {}
        born = self.date_of_birth
        if born is not None and not BIRTH_DATE_MIN <= born <= timezone.localdate():
            errors["date_of_birth"] = ValidationError(BIRTH_DATE_OUT_OF_RANGE, code="date_of_birth_range")
        for name in ("achievement_summary", "blocking_note"):
            try:
                check_free_text(getattr(self, name))
            except ValidationError as error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)

    @property
    def masked_national_id(self) -> str:
        """Show only the last three digits; the full number is read through ``selectors.nominee_national_id``."""
        if not self.national_id:
            return ""
        return "•" * (len(self.national_id) - 3) + self.national_id[-3:]


def attachment_storage_name(instance, filename: str) -> str:
    """Return a generated storage name; the user's file name is kept only as ``original_name``."""
    extension = re.sub(r"[^a-z0-9]", "", filename.rsplit(".", 1)[-1].lower())[:5] if "." in filename else ""
    suffix = f".{extension}" if extension else ""
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file of a dossier, its type sniffed from the bytes and its SHA-256 kept for the version digest."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    kind = models.ForeignKey(
        DocumentKind, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("document kind")
    )
    file = models.FileField(_("file"), upload_to=attachment_storage_name, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["dossier", "kind", "pk"]

    def __str__(self):
        return self.original_name


class DecisionCounter(models.Model):
    """The last decision number an issuer used in a year (Decree 30/2020: numbers restart each year)."""

    issuer_unit = models.ForeignKey("org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("decision counter")
        verbose_name_plural = _("decision counters")
        constraints = [models.UniqueConstraint(fields=["issuer_unit", "year"], name="decisioncounter_unique_year")]

    def __str__(self):
        return f"{self.issuer_unit} {self.year}: {self.last_number}"


class SubmissionLetterCounter(models.Model):
    """The last submission letter number an issuer used in a year: a series of its own (Decree 30/2020)."""

    issuer_unit = models.ForeignKey("org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("submission letter counter")
        verbose_name_plural = _("submission letter counters")
        constraints = [
            models.UniqueConstraint(fields=["issuer_unit", "year"], name="submissionlettercounter_unique_year")
        ]

    def __str__(self):
        return f"{self.issuer_unit} {self.year}: {self.last_number}"


class SubmissionLetter(models.Model):
    """The registered submission letter (tờ trình) with which a stage forwards a dossier to the next level."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="submission_letters")
    issuer_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuer")
    )
    recipient_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("sent to")
    )
    number = models.PositiveIntegerField(_("number"))
    year = models.PositiveSmallIntegerField(_("year"))
    symbol = models.CharField(_("symbol"), max_length=60)
    letter_date = models.DateField(_("date"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signer")
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("submission letter")
        verbose_name_plural = _("submission letters")
        ordering = ["dossier", "letter_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issuer_unit", "year", "number"], name="submissionletter_unique_number"),
        ]

    def __str__(self):
        return self.number_display

    @property
    def number_display(self) -> str:
        """Decree 30/2020: ``07/TTr-UBND`` (numbers below 10 take a leading zero)."""
        return f"{self.number:02d}/{self.symbol}"


class Decision(models.Model):
    """The commendation decision (quyết định) that closes a dossier at its deciding authority."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="decision")
    issuer_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="decisions", verbose_name=_("issuer")
    )
    number = models.PositiveIntegerField(_("number"))
    year = models.PositiveSmallIntegerField(_("year"))
    symbol = models.CharField(_("symbol"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signer")
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for"),
    )
    registered_on = models.DateField(
        _("registered on"), null=True, blank=True, help_text=_("The day the number was taken from the register.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer_unit", "year", "number"], name="decision_unique_number"),
        ]

    def __str__(self):
        return self.number_display

    @property
    def number_display(self) -> str:
        """Decree 30/2020: ``05/QĐ-UBND`` (numbers below 10 take a leading zero)."""
        return f"{self.number:02d}/{self.symbol}"


class GoldenBookCounter(models.Model):
    """The last golden-book number (số sổ vàng) an issuer gave: one sequence per issuer, never reused."""

    issuer_unit = models.OneToOneField("org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("golden-book counter")
        verbose_name_plural = _("golden-book counters")

    def __str__(self):
        return f"{self.issuer_unit}: {self.last_number}"


class RevocationScope(models.TextChoices):
    AWARD = "award", _("One award")
    DECISION = "decision", _("The whole decision")


class Revocation(models.Model):
    """A revocation (hủy bỏ quyết định khen thưởng) of one award or a whole decision; nothing is deleted.

    The awards it revokes point to it (``AwardRecord.revocation``); the decision and its nominees stay as they were
    issued, so the ledger's record of the decision still holds and the revocation has its own entry.
    """

    decision = models.ForeignKey(
        "Decision", on_delete=models.PROTECT, related_name="revocations", verbose_name=_("decision")
    )
    scope = models.CharField(_("scope"), max_length=20, choices=RevocationScope.choices)
    reason = models.TextField(_("reason"))
    reference = models.CharField(
        _("revoking decision"), max_length=120, help_text=_("Number and symbol of the decision that revokes.")
    )
    revoked_on = models.DateField(_("revoked on"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("revoked by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")
        ordering = ["-revoked_on", "-pk"]

    def __str__(self):
        return self.reference


class AwardRecordSource(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    DECISION = "decision", _("Decision issued here")


class AwardRecord(models.Model):
    """One award a person or collective received: the history the eligibility rules read."""

    subject_type = models.CharField(_("subject type"), max_length=20, choices=SubjectType.choices)
    national_id = models.CharField(
        _("citizen ID number"), max_length=12, blank=True, db_index=True, validators=[national_id_validator]
    )
    collective_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collective (organisation unit)"),
    )
    subject_name = models.CharField(_("name"), max_length=255)
    award_type = models.ForeignKey(
        AwardType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("award type"),
    )
    title = models.CharField(_("award title"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1945), MaxValueValidator(2200)])
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=AwardRecordSource.choices)
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="records", verbose_name=_("decision")
    )
    nominee = models.OneToOneField(
        Nominee, on_delete=models.PROTECT, null=True, blank=True, related_name="award_record", verbose_name=_("nominee")
    )
    issuer_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issuing unit"),
    )
    golden_book_number = models.PositiveIntegerField(_("golden-book number (số sổ vàng)"), null=True, blank=True)
    verification_code = models.CharField(
        _("verification code"), max_length=12, unique=True, null=True, blank=True, editable=False
    )
    revocation = models.ForeignKey(
        Revocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("revocation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award record")
        verbose_name_plural = _("award records")
        ordering = ["-year", "subject_name"]
        indexes = [models.Index(fields=["collective_unit", "year"], name="awardrecord_collective_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_unit", "golden_book_number"],
                condition=Q(golden_book_number__isnull=False),
                name="awardrecord_unique_golden_book_number",
            ),
        ]

    def __str__(self):
        return f"{self.subject_name} · {self.title} · {self.year}"

    @property
    def is_revoked(self) -> bool:
        return self.revocation_id is not None

    @property
    def verification_code_display(self) -> str:
        """The code in groups of four, as printed under the QR code: ``7KQ2-M9XD-4T``."""
        code = self.verification_code or ""
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class DossierTally(models.Model):
    """How many nominees of a submitted dossier of each subject kind and group came to each outcome.

    The statistics add these up instead of counting every nominee (about one row per dossier and group instead of
    one per nominee), and carry the facts of the dossier that they filter and group by (year, award type,
    campaign, originating unit, submission time), so they never join the dossiers. The services that change what
    is counted or carried rewrite the dossier's rows in their own transaction
    (``services.tallies.dossier_tally_refresh``); ``manage.py rebuild_tallies`` writes every dossier's afresh from
    its nominees and ``--check`` reports the dossiers whose rows differ. A draft has none.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="tallies")
    # The dossier's own facts, copied with the counts (``services.tallies``).
    year = models.PositiveSmallIntegerField()
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="+", db_index=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    originating_unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    subject_type = models.CharField(max_length=20, choices=SubjectType.choices)
    subject_group = models.ForeignKey(
        CampaignSubjectGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Every nominee; the ones still in progress; awarded and in force; awarded and later revoked; dropped at a
    # stage of a dossier that went on; dropped with the dossier's rejection; withdrawn with the dossier.
    proposed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    awarded = models.PositiveIntegerField(default=0)
    revoked = models.PositiveIntegerField(default=0)
    dropped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dossier tally")
        verbose_name_plural = _("dossier tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "subject_type", "subject_group"], name="dossiertally_unique_subject"
            ),
        ]
        indexes = [
            # A unit's subtree in some years (a province's yearly report, the drill-down below the top), read from
            # the index alone on PostgreSQL: it holds every column the statistics read.
            models.Index(
                fields=["originating_unit", "year"],
                include=[
                    "dossier",
                    "award_type",
                    "campaign",
                    "subject_type",
                    "subject_group",
                    "submitted_at",
                    "proposed",
                    "pending",
                    "awarded",
                    "revoked",
                    "dropped",
                    "rejected",
                    "withdrawn",
                ],
                name="dossiertally_unit_year",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} · {self.subject_type} · {self.subject_group_id or '-'}"
