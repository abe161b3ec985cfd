"""The API's representations. Codes (status, kind, level…) come with their label in the caller's language."""

from rest_framework import serializers

from nominations.models import AwardType, Campaign
from org_hierarchy.models import OrgUnit


class LabelledChoiceField(serializers.ChoiceField):
    """A choice written as its code, read as ``{"code": …, "label": …}``."""

    def to_representation(self, value):
        if value in ("", None):
            return None
        return {"code": value, "label": str(self.choices.get(value, value))}


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
        return {"code": unit.branch, "label": unit.get_branch_display()}

    def get_level(self, unit) -> dict:
        return {"code": unit.level, "label": unit.get_level_display()}

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
        return {"code": award_type.form, "label": award_type.get_form_display()}

    def get_deciding_branch(self, award_type) -> dict:
        return {"code": award_type.deciding_branch, "label": award_type.get_deciding_branch_display()}

    def get_deciding_level(self, award_type) -> dict:
        return {"code": award_type.deciding_level, "label": award_type.get_deciding_level_display()}


class CampaignSerializer(serializers.ModelSerializer):
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
        ]
