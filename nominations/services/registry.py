"""The award history registry: past awards imported from a unit's records (all rows or none)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from audit import services as audit_services
from audit.events import AuditEvent
from web.spreadsheets import Column, RowCheck, TableError, field_labels, parse_date_cell, read_table

from ..models import AwardRecord, AwardRecordSource, AwardType, SubjectType
from ..permissions import ensure_administrator
from .nominees import SUBJECT_ALIASES, UNKNOWN_SUBJECT, ImportRejected

RECORD_COLUMNS = (
    Column(
        "subject_name", "Họ và tên", "Name", ("name", "subject_name", "tên"), True, "Trần Thị Bình", "Tran Thi Binh"
    ),
    Column("subject_type", "Đối tượng", "Subject type", ("loại đối tượng",), False, "cá nhân", "individual"),
    Column(
        "national_id", "Số CCCD", "Citizen ID number", ("national_id", "cccd"), False, "048085001234", "048085001234"
    ),
    Column(
        "award_code", "Mã danh hiệu", "Award code", ("award_code", "mã khen thưởng"), False, "cstd_co_so", "cstd_co_so"
    ),
    Column(
        "title",
        "Danh hiệu",
        "Award title",
        ("title", "hình thức khen thưởng"),
        False,
        "Chiến sĩ thi đua cơ sở",
        "Grassroots emulation fighter",
    ),
    Column("year", "Năm", "Year", (), True, 2024, 2024),
    Column("decision_number", "Số quyết định", "Decision number", (), False, "12/QĐ-UBND", "12/QĐ-UBND"),
    Column("decision_date", "Ngày quyết định", "Decision date", (), False, "20/12/2024", "20/12/2024"),
    Column("issuer", "Cơ quan ban hành", "Issuer", ("cấp khen",), False, "UBND phường Hải Châu", "Hai Chau Ward PC"),
)
RECORD_NOTES = (
    _("Subject type: individual, collective or household; empty means an individual."),
    _("Give the award code of the catalogue or the award title; a person's award needs their citizen ID number."),
    _("Decision date: dd/mm/yyyy."),
)
UNKNOWN_AWARD_CODE = _("Unknown award code “%(code)s”.")


def _record_from_row(values: dict, award_types: dict[str, AwardType], check: RowCheck) -> AwardRecord | None:
    """The row's record, or ``None`` with every problem of the row recorded in ``check``."""
    subject = SUBJECT_ALIASES.get(str(values.get("subject_type") or "cá nhân").strip().lower())
    if subject is None:
        check.add("subject_type", UNKNOWN_SUBJECT % {"value": values.get("subject_type")})
    code = str(values.get("award_code") or "").strip()
    award_type = award_types.get(code) if code else None
    if code and award_type is None:
        check.add("award_code", UNKNOWN_AWARD_CODE % {"code": code})
    title = str(values.get("title") or "").strip() or (award_type.name_vi if award_type else "")
    if not title and not code:
        check.add("title", _("Each row needs an award code or an award title."))
    national_id = str(values.get("national_id") or "").strip()
    if subject == SubjectType.INDIVIDUAL and not national_id:
        check.add("national_id", _("A person's award needs their citizen ID number."))
    year = None
    if str(values.get("year") or "").strip():
        try:
            year = int(str(values["year"]).strip().removesuffix(".0"))
        except ValueError:
            check.add("year", _("“%(value)s” is not a year.") % {"value": values.get("year")})
    record = AwardRecord(
        subject_type=subject or SubjectType.INDIVIDUAL,
        national_id=national_id,
        subject_name=str(values.get("subject_name") or "").strip(),
        award_type=award_type,
        title=title,
        year=year,
        decision_number=str(values.get("decision_number") or "").strip(),
        decision_date=check.parse("decision_date", lambda: parse_date_cell(values.get("decision_date"))),
        issuer=str(values.get("issuer") or "").strip(),
        source=AwardRecordSource.IMPORTED,
    )
    try:
        # An unknown award code already says why the row has no title.
        untitled = {"title"} if code and not title else set()
        record.full_clean(exclude=sorted({"collective_unit", "award_type", "decision"} | check.failed | untitled))
    except ValidationError as error:
        check.add_validation_error(error, field_labels(AwardRecord))
    return record if check.ok else None


@transaction.atomic
def award_history_import(*, actor, file) -> list[AwardRecord]:
    """Add the rows of a CSV or XLSX file to the registry: every row valid, or nothing imported."""
    ensure_administrator(user=actor)
    try:
        table = read_table(file, columns=RECORD_COLUMNS)
    except TableError as error:
        raise ImportRejected([error.error]) from error
    award_types = {award.code: award for award in AwardType.objects.all()}
    records, errors = [], []
    for row_number, values in table.rows:
        check = table.check(row_number, RECORD_COLUMNS)
        records.append(_record_from_row(values, award_types, check))
        errors.extend(check.errors)
    if errors:
        raise ImportRejected(errors)
    created = bulk_create_with_history(
        records, AwardRecord, batch_size=500, default_user=actor, default_change_reason="imported"
    )
    audit_services.record(
        AuditEvent.AWARD_HISTORY_IMPORTED,
        actor=actor,
        data={"count": len(created), "file": getattr(file, "name", "")},
    )
    return created
