"""Nominees of a dossier: one at a time, in bulk from an XLSX list, and their outcome at a stage."""

from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from audit import services as audit_services
from audit.events import AuditEvent
from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.selectors import units_in_scope
from web.spreadsheets import Column, RowCheck, RowError, TableError, field_labels, parse_date_cell, read_table

from ..models import CampaignSubjectGroup, Dossier, DossierStatus, Gender, Nominee, NomineeOutcome, SubjectType
from ..permissions import ensure_stage_officer, ensure_submitter
from ..selectors import may_see_full_national_id
from .tallies import dossier_tally_refresh
from .tracking import (
    REASON_REQUIRED,
    ensure_editable,
    lock_dossier,
    nominees_close,
    record,
    refresh_digest,
    save_tracked,
    service_transaction,
)

NOMINEE_EDITABLE_FIELDS = (
    "subject_type",
    "full_name",
    "gender",
    "date_of_birth",
    "position",
    "workplace",
    "national_id",
    "collective_unit",
    "subject_group",
    "user",
    "achievement_summary",
    "under_discipline",
    "under_investigation",
    "blocking_note",
    "list_position",
)
NATIONAL_ID_HIDDEN = _("Your role does not give access to this citizen ID number.")
NOT_PENDING = _("This nominee already has a final outcome.")
IMPORT_EMPTY = _("The file contains no nominee rows.")
UNKNOWN_SUBJECT = _("Unknown subject type “%(value)s”.")
UNKNOWN_GENDER = _("Unknown gender “%(value)s”.")
IMPORT_FAILED = _("Nothing was imported: correct the rows listed and upload the file again.")

# The nominee list's columns: the template's headers in Vietnamese and English, and the other names accepted.
IMPORT_COLUMNS = (
    Column("full_name", "Họ và tên", "Full name", ("name", "họ tên", "tên"), True, "Nguyễn Văn An", "Nguyen Van An"),
    Column("subject_type", "Đối tượng", "Subject type", ("loại đối tượng",), False, "cá nhân", "individual"),
    Column("gender", "Giới tính", "Gender", (), False, "Nam", "male"),
    Column("date_of_birth", "Ngày sinh", "Date of birth", (), False, "15/03/1985", "15/03/1985"),
    Column("position", "Chức vụ", "Position", (), False, "Tổ trưởng", "Group leader"),
    Column(
        "workplace", "Đơn vị công tác", "Workplace", ("nơi công tác",), False, "Tổ dân phố 12", "Residential group 12"
    ),
    Column(
        "national_id",
        "Số CCCD",
        "Citizen ID number",
        ("cccd", "số định danh cá nhân"),
        False,
        "048085001234",
        "048085001234",
    ),
    Column(
        "achievement_summary",
        "Tóm tắt thành tích",
        "Achievements",
        ("thành tích",),
        False,
        "Hoàn thành xuất sắc nhiệm vụ năm 2025",
        "Outstanding work in 2025",
    ),
    Column("collective_unit", "Mã đơn vị", "Unit code", ("unit_code", "mã đơn vị tập thể"), False, "", ""),
    Column("subject_group", "Nhóm đối tượng", "Subject group"),
)
IMPORT_NOTES = (
    _("Subject type: individual, collective or household; empty means an individual."),
    _("Gender: male or female."),
    _("Date of birth: dd/mm/yyyy."),
    _("Citizen ID number: 12 digits."),
    _("Unit code: for a collective, the administrative code of its unit."),
    _(
        "Subject group: for an individual of a campaign's dossier, the name (in Vietnamese or English) of one of "
        "the campaign's subject groups; empty for no group."
    ),
)


def import_template_columns(dossier: Dossier) -> tuple[Column, ...]:
    """The nominee list's columns as the dossier's template shows them: the example row's subject group is the first
    group of the dossier's campaign (none for a dossier without one), so that the template imports as it is."""
    group = (
        CampaignSubjectGroup.objects.filter(campaign_id=dossier.campaign_id).order_by("position", "pk").first()
        if dossier.campaign_id
        else None
    )
    if group is None:
        return IMPORT_COLUMNS
    return tuple(
        replace(column, example_vi=group.name_vi, example_en=group.name_en or group.name_vi)
        if column.field == "subject_group"
        else column
        for column in IMPORT_COLUMNS
    )


SUBJECT_ALIASES = {
    "individual": SubjectType.INDIVIDUAL,
    "cá nhân": SubjectType.INDIVIDUAL,
    "collective": SubjectType.COLLECTIVE,
    "tập thể": SubjectType.COLLECTIVE,
    "household": SubjectType.HOUSEHOLD,
    "hộ gia đình": SubjectType.HOUSEHOLD,
}
GROUP_FOR_INDIVIDUALS = _("Only an individual is counted in a subject group.")
GROUP_NOT_OF_CAMPAIGN = _("Choose one of the subject groups of the dossier's campaign.")
GROUP_WITHOUT_CAMPAIGN = _("This dossier is filed under no campaign, so it has no subject groups: leave it empty.")
GENDER_ALIASES = {"female": Gender.FEMALE, "nữ": Gender.FEMALE, "male": Gender.MALE, "nam": Gender.MALE, "": ""}


def _check_collective(nominee: Nominee) -> None:
    if nominee.subject_type == SubjectType.INDIVIDUAL and nominee.collective_unit_id:
        raise ValidationError({"collective_unit": _("Only a collective can be an organisation unit.")})


def _check_subject_group(nominee: Nominee) -> None:
    """A subject group is for an individual, and one of the groups of the dossier's campaign."""
    group_id = nominee.subject_group_id
    if group_id is None:
        return
    if nominee.subject_type != SubjectType.INDIVIDUAL:
        raise ValidationError({"subject_group": GROUP_FOR_INDIVIDUALS})
    campaign_id = nominee.dossier.campaign_id
    if campaign_id is None:
        raise ValidationError({"subject_group": GROUP_WITHOUT_CAMPAIGN})
    if nominee.subject_group.campaign_id != campaign_id:
        raise ValidationError({"subject_group": GROUP_NOT_OF_CAMPAIGN})


def _next_position(dossier: Dossier) -> int:
    return (dossier.nominees.aggregate(last=Max("list_position"))["last"] or 0) + 1


@transaction.atomic
def nominee_add(*, dossier: Dossier, actor, subject_type: str, full_name: str, **fields) -> Nominee:
    """Add a nominee to an editable dossier."""
    unknown = set(fields) - set(NOMINEE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"nominee_add() got unexpected fields: {sorted(unknown)}")
    dossier = lock_dossier(dossier)
    ensure_submitter(user=actor, dossier=dossier)
    ensure_editable(dossier)
    fields.setdefault("list_position", _next_position(dossier))
    nominee = Nominee(dossier=dossier, subject_type=subject_type, full_name=full_name, **fields)
    _check_collective(nominee)
    _check_subject_group(nominee)
    nominee.clean()
    save_tracked(nominee, actor=actor, reason="added")
    refresh_digest(dossier, actor=actor, reason="nominee added")
    dossier_tally_refresh(dossier=dossier)
    record(AuditEvent.NOMINEE_ADDED, dossier=dossier, actor=actor, role=Role.SUBMITTER, data={"nominee": nominee.pk})
    return nominee


@transaction.atomic
def nominee_update(*, nominee: Nominee, actor, **changes) -> Nominee:
    """Change a nominee of an editable dossier; no change, no new version."""
    unknown = set(changes) - set(NOMINEE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"nominee_update() got unexpected fields: {sorted(unknown)}")
    dossier = lock_dossier(nominee.dossier)
    ensure_submitter(user=actor, dossier=dossier)
    ensure_editable(dossier)
    nominee = Nominee.objects.get(pk=nominee.pk, dossier=dossier)
    changed = [name for name, value in changes.items() if getattr(nominee, name) != value]
    if not changed:
        return nominee
    for name in changed:
        setattr(nominee, name, changes[name])
    _check_collective(nominee)
    _check_subject_group(nominee)
    nominee.clean()
    save_tracked(nominee, actor=actor, reason="updated", update_fields=changed)
    refresh_digest(dossier, actor=actor, reason="nominee updated")
    dossier_tally_refresh(dossier=dossier)
    record(
        AuditEvent.NOMINEE_UPDATED,
        dossier=dossier,
        actor=actor,
        role=Role.SUBMITTER,
        data={"nominee": nominee.pk, "fields": changed},
    )
    return nominee


@transaction.atomic
def nominee_remove(*, nominee: Nominee, actor) -> None:
    """Remove a nominee from an editable dossier (its history rows keep what it was)."""
    dossier = lock_dossier(nominee.dossier)
    ensure_submitter(user=actor, dossier=dossier)
    ensure_editable(dossier)
    nominee_id, name = nominee.pk, nominee.full_name
    nominee._change_reason = "removed"
    nominee._history_user = actor
    nominee.delete()
    refresh_digest(dossier, actor=actor, reason="nominee removed")
    dossier_tally_refresh(dossier=dossier)
    record(
        AuditEvent.NOMINEE_REMOVED,
        dossier=dossier,
        actor=actor,
        role=Role.SUBMITTER,
        data={"nominee": nominee_id, "name": name},
    )


@transaction.atomic
def nominee_drop(*, nominee: Nominee, actor, stage_unit: OrgUnit, reason: str) -> Nominee:
    """Give a nominee the final outcome "dropped" at a stage; the workflow decides what follows for the dossier."""
    return nominees_drop(dossier=nominee.dossier, actor=actor, stage_unit=stage_unit, reasons={nominee.pk: reason})[0]


@service_transaction
def nominees_drop(*, dossier: Dossier, actor, stage_unit: OrgUnit, reasons: dict[int, str]) -> list[Nominee]:
    """Give the nominees ``reasons`` names the final outcome "dropped" at a stage, each with its reason.

    A council vote may leave out hundreds of a big list at once: the rows are locked and changed in a constant
    number of statements whatever their number, with one history row each and one ledger entry for all of them.
    """
    reasons = {int(pk): (reason or "").strip() for pk, reason in reasons.items()}
    if not reasons:
        return []
    if not all(reasons.values()):
        raise ValidationError({"reason": REASON_REQUIRED})
    dossier = lock_dossier(dossier)
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError(_("This dossier is not in progress at any stage."), code="not_in_progress")
    ensure_stage_officer(user=actor, dossier=dossier, stage_unit=stage_unit)
    nominees = list(dossier.nominees.select_for_update().filter(pk__in=reasons).order_by("list_position", "pk"))
    if len(nominees) != len(reasons) or any(nominee.outcome != NomineeOutcome.PENDING for nominee in nominees):
        raise ValidationError(NOT_PENDING, code="not_pending")
    nominees_close(
        nominees,
        outcome=NomineeOutcome.DROPPED,
        actor=actor,
        stage_unit=stage_unit,
        reasons=reasons,
        change_reason="dropped",
    )
    distinct = set(reasons.values())
    dossier_tally_refresh(dossier=dossier)
    record(
        AuditEvent.NOMINEE_DROPPED,
        dossier=dossier,
        actor=actor,
        stage_unit=stage_unit,
        reason=next(iter(distinct)) if len(distinct) == 1 else "",
        data={
            "nominees": {str(nominee.pk): NomineeOutcome.DROPPED.value for nominee in nominees},
            "reasons": {str(nominee.pk): nominee.outcome_reason for nominee in nominees},
        },
    )
    return nominees


@transaction.atomic
def nominee_national_id_reveal(*, user, nominee: Nominee, context: str = "") -> str:
    """Return the nominee's full citizen ID to a role that needs it, leaving a personal-data access record.

    The only path to the full number: pages show ``masked_national_id`` and call this on an explicit request.
    Raise ``PermissionDenied`` for anyone else.
    """
    if not may_see_full_national_id(user=user, dossier=nominee.dossier):
        raise PermissionDenied(NATIONAL_ID_HIDDEN)
    if nominee.national_id:
        audit_services.personal_data_access_record(
            viewer=user, subject=nominee, field="national_id", context=context, unit=nominee.dossier.originating_unit
        )
    return nominee.national_id


class ImportRejected(ValidationError):
    """Raised when any row of an import is wrong; ``row_errors`` lists them all and nothing is saved."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = row_errors
        super().__init__([IMPORT_FAILED, *(str(error) for error in row_errors)], code="import")


def _units_by_code(actor, codes: set[str]) -> dict[str, list[OrgUnit]]:
    """Return {code: [units]} of the actor's scope whose administrative or short code is one of ``codes``.

    One query for the whole file; a code may name several units (the same locality in two branches).
    """
    if not codes:
        return {}
    found: dict[str, list[OrgUnit]] = {}
    units = units_in_scope(user=actor).filter(Q(admin_code__in=codes) | Q(short_name__in=codes))
    for unit in units.order_by("path"):
        for code in {unit.admin_code, unit.short_name} & codes:
            found.setdefault(code, []).append(unit)
    return found


def _collective_unit(values: dict, units_by_code: dict[str, list[OrgUnit]]) -> OrgUnit | None:
    code = str(values.get("collective_unit") or "").strip()
    if not code:
        return None
    units = units_by_code.get(code, [])
    if not units:
        raise ValidationError(_("No unit of yours has the code “%(code)s”.") % {"code": code})
    if len(units) > 1:
        raise ValidationError(
            _("Several units of yours have the code “%(code)s”: %(units)s.")
            % {"code": code, "units": ", ".join(unit.name for unit in units)}
        )
    return units[0]


def _groups_by_name(dossier: Dossier) -> dict[str, CampaignSubjectGroup]:
    """The dossier's campaign's subject groups by their Vietnamese and English names, case-folded (one query)."""
    if dossier.campaign_id is None:
        return {}
    groups = {}
    for group in CampaignSubjectGroup.objects.filter(campaign_id=dossier.campaign_id).order_by("position", "pk"):
        for name in (group.name_vi, group.name_en):
            if name:
                groups.setdefault(name.strip().casefold(), group)
    return groups


def _subject_group(dossier: Dossier, values: dict, groups: dict[str, CampaignSubjectGroup]):
    name = str(values.get("subject_group") or "").strip()
    if not name:
        return None
    if dossier.campaign_id is None:
        raise ValidationError({"subject_group": GROUP_WITHOUT_CAMPAIGN})
    group = groups.get(name.casefold())
    if group is None:
        known = "; ".join(group.name for group in dict.fromkeys(groups.values()))
        message = (
            _("The campaign has no subject group “%(name)s”; its groups are: %(groups)s.")
            if known
            else _("The campaign has no subject group “%(name)s”; it defines none.")
        )
        raise ValidationError({"subject_group": message % {"name": name, "groups": known}})
    return group


def _choice(aliases: dict, value, message):
    text = str(value or "").strip().lower()
    if text not in aliases:
        raise ValidationError(message % {"value": value})
    return aliases[text]


def _nominee_from_row(
    dossier: Dossier, values: dict, position: int, units_by_code: dict, groups: dict, check: RowCheck
):
    """The row's nominee, or ``None`` with every problem of the row recorded in ``check``."""
    subject = check.parse(
        "subject_type",
        lambda: _choice(SUBJECT_ALIASES, values.get("subject_type") or "cá nhân", UNKNOWN_SUBJECT),
    )
    gender = check.parse("gender", lambda: _choice(GENDER_ALIASES, values.get("gender"), UNKNOWN_GENDER))
    nominee = Nominee(
        dossier=dossier,
        list_position=position,
        subject_type=subject or SubjectType.INDIVIDUAL,
        full_name=str(values.get("full_name") or "").strip(),
        gender=gender or "",
        date_of_birth=check.parse("date_of_birth", lambda: parse_date_cell(values.get("date_of_birth"))),
        position=str(values.get("position") or "").strip(),
        workplace=str(values.get("workplace") or "").strip(),
        national_id=str(values.get("national_id") or "").strip(),
        achievement_summary=str(values.get("achievement_summary") or "").strip(),
        collective_unit=check.parse("collective_unit", lambda: _collective_unit(values, units_by_code)),
        subject_group=check.parse("subject_group", lambda: _subject_group(dossier, values, groups)),
    )
    excluded = {"dossier", "collective_unit", "subject_group", "user", "outcome_stage_unit", "outcome_by", "decision"}
    labels = field_labels(Nominee)
    for validate in (
        lambda: nominee.full_clean(exclude=sorted(excluded | check.failed)),
        lambda: _check_collective(nominee),
        lambda: _check_subject_group(nominee),
    ):
        try:
            validate()
        except ValidationError as error:
            check.add_validation_error(error, labels)
    return nominee if check.ok else None


@transaction.atomic
def nominees_import_xlsx(*, dossier: Dossier, actor, file) -> list[Nominee]:
    """Append the nominees of an XLSX list to an editable dossier: every row valid, or nothing imported."""
    dossier = lock_dossier(dossier)
    ensure_submitter(user=actor, dossier=dossier)
    ensure_editable(dossier)
    try:
        table = read_table(file, columns=IMPORT_COLUMNS)
    except TableError as error:
        raise ImportRejected([error.error]) from error
    if not table.rows:
        raise ValidationError(IMPORT_EMPTY, code="import_empty")
    start = _next_position(dossier)
    codes = {str(values.get("collective_unit") or "").strip() for _row, values in table.rows} - {""}
    units_by_code = _units_by_code(actor, codes)
    groups = _groups_by_name(dossier)
    nominees, errors = [], []
    for offset, (row_number, values) in enumerate(table.rows):
        check = table.check(row_number, IMPORT_COLUMNS)
        nominee = _nominee_from_row(dossier, values, start + offset, units_by_code, groups, check)
        nominees.append(nominee)
        errors.extend(check.errors)
    if errors:
        raise ImportRejected(errors)
    created = bulk_create_with_history(
        nominees, Nominee, batch_size=500, default_user=actor, default_change_reason="imported"
    )
    refresh_digest(dossier, actor=actor, reason="nominees imported")
    dossier_tally_refresh(dossier=dossier)
    record(
        AuditEvent.NOMINEES_IMPORTED, dossier=dossier, actor=actor, role=Role.SUBMITTER, data={"count": len(created)}
    )
    return created
