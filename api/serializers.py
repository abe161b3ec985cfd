"""The API's representations. Codes (status, kind, level…) come with their label in the caller's language."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nominations.models import AwardType, Campaign, CampaignSubjectGroup, Dossier, Nominee
from org_hierarchy.models import OrgUnit


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
