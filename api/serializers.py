"""The API's representations. Codes (status, kind, level…) come with their label in the caller's language."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit import labels as audit_labels
from nominations.models import AwardType, Campaign, CampaignSubjectGroup, Dossier, Nominee
from org_hierarchy.models import OrgUnit

VALID = _("Valid")
REVOKED = _("Revoked")


def _labelled(instance, field: str) -> dict | None:
    """A choice field of ``instance`` as ``{"code": …, "label": …}`` in the caller's language; None when empty."""
    value = getattr(instance, field)
    if value in ("", None):
        return None
    return {"code": value, "label": str(getattr(instance, f"get_{field}_display")())}


class UnitSerializer(serializers.ModelSerializer):
    branch = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()
    parent = serializers.SerializerMethodField()
    has_children = serializers.SerializerMethodField()

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "name",
            "short_name",
            "branch",
            "level",
            "admin_code",
            "division_type",
            "parent",
            "has_children",
        ]

    def get_branch(self, unit) -> dict:
        return _labelled(unit, "branch")

    def get_level(self, unit) -> dict:
        return _labelled(unit, "level")

    def get_parent(self, unit) -> int | None:
        parents = self.context.get("parents") or {}
        return parents.get(unit.path[: -unit.steplen]) if unit.depth > 1 else None

    def get_has_children(self, unit) -> bool:
        return unit.numchild > 0


class AwardTypeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    form = serializers.SerializerMethodField()
    deciding_branch = serializers.SerializerMethodField()
    deciding_level = serializers.SerializerMethodField()

    class Meta:
        model = AwardType
        fields = [
            "id",
            "code",
            "name",
            "name_vi",
            "name_en",
            "form",
            "deciding_branch",
            "deciding_level",
            "eligible_subjects",
            "simplified_allowed",
        ]

    def get_form(self, award_type) -> dict:
        return _labelled(award_type, "form")

    def get_deciding_branch(self, award_type) -> dict:
        return _labelled(award_type, "deciding_branch")

    def get_deciding_level(self, award_type) -> dict:
        return _labelled(award_type, "deciding_level")


class SubjectGroupSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = CampaignSubjectGroup
        fields = ["id", "name", "name_vi", "name_en", "criteria", "legal_reference"]


class CampaignSerializer(serializers.ModelSerializer):
    subject_groups = SubjectGroupSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "legal_basis",
            "description",
            "period_start",
            "period_end",
            "launching_unit",
            "submission_opens",
            "submission_deadline",
            "is_active",
            "subject_groups",
        ]


class LabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class NomineeSerializer(serializers.ModelSerializer):
    subject_type = serializers.SerializerMethodField()
    gender = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    national_id = serializers.SerializerMethodField()

    class Meta:
        model = Nominee
        fields = [
            "id",
            "list_position",
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
            "outcome",
            "outcome_stage_unit",
            "outcome_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(LabelSerializer)
    def get_subject_type(self, nominee):
        return _labelled(nominee, "subject_type")

    @extend_schema_field(LabelSerializer(allow_null=True))
    def get_gender(self, nominee):
        return _labelled(nominee, "gender")

    @extend_schema_field(LabelSerializer)
    def get_outcome(self, nominee):
        return _labelled(nominee, "outcome")

    def get_national_id(self, nominee) -> str:
        """Masked but for its last three digits, as on the dossier page; the full number is not sent."""
        return nominee.masked_national_id


class DossierSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    nominee_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "title",
            "kind",
            "status",
            "originating_unit",
            "award_type",
            "campaign",
            "year",
            "letter_number",
            "letter_date",
            "letter_signer",
            "version",
            "version_digest",
            "current_stage_unit",
            "returned_reason",
            "closed_reason",
            "created_at",
            "updated_at",
            "submitted_at",
            "nominee_count",
        ]
        read_only_fields = fields

    @extend_schema_field(LabelSerializer)
    def get_kind(self, dossier):
        return _labelled(dossier, "kind")

    @extend_schema_field(LabelSerializer)
    def get_status(self, dossier):
        return _labelled(dossier, "status")


class DossierDetailSerializer(DossierSerializer):
    nominees = serializers.SerializerMethodField()
    route = serializers.SerializerMethodField()
    process = serializers.SerializerMethodField()

    class Meta(DossierSerializer.Meta):
        fields = [*DossierSerializer.Meta.fields, "nominees", "route", "process"]

    @extend_schema_field(NomineeSerializer(many=True))
    def get_nominees(self, dossier):
        return NomineeSerializer(self.context["nominees"], many=True).data

    def get_route(self, dossier) -> list[int]:
        """The stage units, from the first to the deciding authority (empty for a draft)."""
        return list(dossier.route_stops.order_by("position").values_list("unit_id", flat=True))

    def get_process(self, dossier) -> int | None:
        """The approval process of a submitted dossier (its steps are under ``/tasks/``)."""
        return self.context.get("process_id")


class RuleResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField()
    reason = serializers.CharField()
    nominee_id = serializers.IntegerField(allow_null=True)


class EligibilitySerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    results = RuleResultSerializer(many=True)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.IntegerField(source="process_id")
    dossier = serializers.SerializerMethodField()
    step = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    status = serializers.CharField()
    unit = serializers.SerializerMethodField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    created = serializers.DateTimeField()
    deadline = serializers.SerializerMethodField()

    def get_dossier(self, task) -> int:
        return int(task.process.artifact_object_id)

    def get_step(self, task) -> str:
        """The kind of step, which says what ``act`` expects: appraise, consult, vote, sign or supplement."""
        return step_kind(task.flow_task)

    def get_title(self, task) -> str:
        return str(task.flow_task.task_title)

    def get_unit(self, task) -> int | None:
        return int(task.owner_permission_obj_pk) if task.owner_permission_obj_pk else None

    def get_deadline(self, task) -> str | None:
        deadline = task.process.coerced.stage_deadline
        return deadline.isoformat() if deadline else None


def step_kind(node) -> str:
    """The step's kind from its node name (``commune_appraise`` → ``appraise``; ``supplement``)."""
    return node.name.rsplit("_", 1)[-1]


class FieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    schema = serializers.DictField()


class TaskDetailSerializer(TaskSerializer):
    may_act = serializers.BooleanField()
    inputs = FieldSerializer(many=True, help_text="The fields ``act`` expects, from the step page's form.")


class RevocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scope = serializers.SerializerMethodField()
    reason = serializers.CharField()
    reference = serializers.CharField(help_text="Number and symbol of the decision that revokes.")
    revoked_on = serializers.DateField()
    award_count = serializers.IntegerField(source="awards", help_text="How many awards it revoked.")

    @extend_schema_field(LabelSerializer)
    def get_scope(self, revocation):
        return _labelled(revocation, "scope")


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="dossier_id")
    number = serializers.CharField(source="number_display", help_text="As written on it, e.g. 05/QĐ-UBND.")
    year = serializers.IntegerField()
    decision_date = serializers.DateField()
    issuer_unit = serializers.IntegerField(source="issuer_unit_id")
    issuer = serializers.CharField(source="issuer_unit.name")
    signer = serializers.CharField(source="signer.get_full_name")
    acting_for = serializers.SerializerMethodField()
    registered_on = serializers.DateField(allow_null=True)
    award_count = serializers.IntegerField(help_text="How many awards it made.")
    revoked_count = serializers.IntegerField(help_text="How many of them are revoked.")
    document = serializers.SerializerMethodField()
    certificates = serializers.SerializerMethodField()

    def get_acting_for(self, decision) -> str | None:
        """Whom the signer signed for (ký thay), if anyone."""
        return decision.acting_for.get_full_name() if decision.acting_for_id else None

    def get_document(self, decision) -> str:
        """The decision with its annex, as a PDF."""
        return reverse("api:decision_document", args=[decision.pk])

    def get_certificates(self, decision) -> str:
        """The awards it made, with their certificates."""
        return reverse("api:decision_certificates", args=[decision.pk])


class DecisionDetailSerializer(DecisionSerializer):
    certificates_document = serializers.SerializerMethodField()
    revocations = serializers.SerializerMethodField()

    def get_certificates_document(self, decision) -> str:
        """All its certificates in one PDF, for printing (revoked ones marked)."""
        return reverse("api:decision_certificates_document", args=[decision.pk])

    @extend_schema_field(RevocationSerializer(many=True))
    def get_revocations(self, decision):
        return RevocationSerializer(self.context["revocations"], many=True).data


class CertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    decision = serializers.IntegerField(source="decision_id")
    nominee = serializers.IntegerField(source="nominee_id", allow_null=True)
    subject_type = serializers.SerializerMethodField()
    subject_name = serializers.CharField()
    collective_unit = serializers.IntegerField(source="collective_unit_id", allow_null=True)
    award_type = serializers.IntegerField(source="award_type_id", allow_null=True)
    title = serializers.CharField()
    year = serializers.IntegerField()
    golden_book_number = serializers.IntegerField(allow_null=True)
    verification_code = serializers.CharField(
        source="verification_code_display", help_text="As printed under the QR code, e.g. 7KQ2-M9XD-4T."
    )
    revocation = serializers.IntegerField(source="revocation_id", allow_null=True)
    revoked_on = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField()

    @extend_schema_field(LabelSerializer)
    def get_subject_type(self, record):
        return _labelled(record, "subject_type")

    def get_revoked_on(self, record) -> datetime.date | None:
        return record.revocation.revoked_on if record.revocation_id else None

    def get_document(self, record) -> str:
        """The certificate as a PDF."""
        return reverse("api:certificate_document", args=[record.pk])


class DocumentPreparingSerializer(serializers.Serializer):
    status = LabelSerializer()
    detail = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    """What the public verification page shows of a certificate, and nothing more (no personal data)."""

    code = serializers.CharField(source="verification_code_display")
    status = serializers.SerializerMethodField()
    award = serializers.SerializerMethodField()
    awarded_to = serializers.CharField(source="subject_name")
    decision_number = serializers.CharField()
    decision_date = serializers.DateField(allow_null=True)
    issuer = serializers.CharField()
    golden_book_number = serializers.IntegerField(allow_null=True)
    revoked_on = serializers.SerializerMethodField()
    revoking_decision = serializers.SerializerMethodField()

    @extend_schema_field(LabelSerializer)
    def get_status(self, record):
        """``valid``, or ``revoked`` (then ``revoked_on`` and ``revoking_decision`` say when and by what)."""
        if record.revocation_id:
            return {"code": "revoked", "label": str(REVOKED)}
        return {"code": "valid", "label": str(VALID)}

    def get_award(self, record) -> str:
        return record.award_type.name if record.award_type_id else record.title

    def get_revoked_on(self, record) -> datetime.date | None:
        return record.revocation.revoked_on if record.revocation_id else None

    def get_revoking_decision(self, record) -> str | None:
        return record.revocation.reference if record.revocation_id else None


class LedgerEntrySerializer(serializers.Serializer):
    """One entry of the ledger as written (names are those of the moment), with its codes' labels."""

    sequence = serializers.IntegerField()
    event = serializers.SerializerMethodField()
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name", help_text="Who acted, as named then.")
    role = serializers.SerializerMethodField()
    acting_for = serializers.CharField(source="acting_for_name", help_text="Whom they signed for, if anyone.")
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    unit_name = serializers.CharField()
    stage = serializers.SerializerMethodField()
    subject = serializers.CharField(source="subject_text")
    reason = serializers.CharField()
    data = serializers.DictField(help_text="What the entry recorded, by the codes the hash covers.")
    data_text = serializers.SerializerMethodField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()

    @extend_schema_field(LabelSerializer)
    def get_event(self, entry):
        return _labelled(entry, "event")

    @extend_schema_field(LabelSerializer(allow_null=True))
    def get_role(self, entry):
        return {"code": entry.role, "label": audit_labels.role_label(entry.role)} if entry.role else None

    @extend_schema_field(LabelSerializer(allow_null=True))
    def get_stage(self, entry):
        return {"code": entry.stage, "label": audit_labels.stage_label(entry.stage)} if entry.stage else None

    def get_data_text(self, entry) -> str:
        """``data`` in the caller's language, as the ledger's page and exports write it."""
        return audit_labels.data_text(entry.data, outcomes=self.context["outcomes"], names=self.context["names"])


class LedgerVerificationSerializer(serializers.Serializer):
    """One verification of the whole chain, as the ledger's verification page shows it."""

    started_by = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    checked = serializers.IntegerField(help_text="How many entries were verified.")
    intact = serializers.BooleanField(source="ok")
    problem_sequence = serializers.IntegerField(allow_null=True, help_text="The first broken entry, if any.")
    problem = serializers.CharField(source="problem_why")
    anchoring = serializers.BooleanField(help_text="Whether the chain was checked against its signed checkpoints.")
    checkpoints = serializers.IntegerField()
    anchored_sequence = serializers.IntegerField(allow_null=True, help_text="The last entry a checkpoint signs.")

    def get_started_by(self, run) -> str | None:
        """Who started it; null for the scheduled command."""
        return run.started_by.get_full_name() if run.started_by_id else None
