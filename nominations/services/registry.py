"""The award history registry: past awards imported from a unit's records (all rows or none)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from audit import services as audit_services
from audit.events import AuditEvent

from ..models import AwardRecord, AwardRecordSource, AwardType, SubjectType
from ..permissions import ensure_administrator
from ..spreadsheets import SpreadsheetError, parse_date_cell, read_rows, row_error_text
from .nominees import SUBJECT_ALIASES, ImportRejected, RowError

RECORD_COLUMNS = {
    "subject_type": ("subject_type", "loại đối tượng", "đối tượng"),
    "subject_name": ("name", "subject_name", "họ và tên", "tên"),
    "national_id": ("national_id", "số cccd", "cccd"),
    "award_code": ("award_code", "mã danh hiệu", "mã khen thưởng"),
    "title": ("title", "danh hiệu", "hình thức khen thưởng"),
    "year": ("year", "năm"),
    "decision_number": ("decision_number", "số quyết định"),
    "decision_date": ("decision_date", "ngày quyết định"),
    "issuer": ("issuer", "cơ quan ban hành", "cấp khen"),
}


def _record_from_row(values: dict, award_types: dict[str, AwardType]) -> AwardRecord:
    subject = SUBJECT_ALIASES.get(str(values.get("subject_type") or "cá nhân").strip().lower())
    if subject is None:
        raise ValidationError(_("Unknown subject type “%(value)s”.") % {"value": values.get("subject_type")})
    code = str(values.get("award_code") or "").strip()
    award_type = award_types.get(code) if code else None
    if code and award_type is None:
        raise ValidationError(_("Unknown award code “%(code)s”.") % {"code": code})
    title = str(values.get("title") or "").strip() or (award_type.name_vi if award_type else "")
    if not title:
        raise ValidationError(_("Each row needs an award code or an award title."))
    national_id = str(values.get("national_id") or "").strip()
    if subject == SubjectType.INDIVIDUAL and not national_id:
        raise ValidationError(_("A person's award needs their citizen ID number."))
    try:
        year = int(str(values.get("year") or "").strip())
    except ValueError as error:
        raise ValidationError(_("“%(value)s” is not a year.") % {"value": values.get("year")}) from error
    record = AwardRecord(
        subject_type=subject,
        national_id=national_id,
        subject_name=str(values.get("subject_name") or "").strip(),
        award_type=award_type,
        title=title,
        year=year,
        decision_number=str(values.get("decision_number") or "").strip(),
        decision_date=parse_date_cell(values.get("decision_date")),
        issuer=str(values.get("issuer") or "").strip(),
        source=AwardRecordSource.IMPORTED,
    )
    record.full_clean(exclude=["collective_unit", "award_type", "decision"])
    return record


@transaction.atomic
def award_history_import(*, actor, file) -> list[AwardRecord]:
    """Add the rows of a CSV or XLSX file to the registry: every row valid, or nothing imported."""
    ensure_administrator(user=actor)
    try:
        rows = read_rows(file, columns=RECORD_COLUMNS, required=("subject_name", "year"))
    except SpreadsheetError as error:
        raise ImportRejected([RowError(error.row, error.message)]) from error
    award_types = {award.code: award for award in AwardType.objects.all()}
    records, errors = [], []
    for row_number, values in rows:
        try:
            records.append(_record_from_row(values, award_types))
        except ValidationError as error:
            errors.append(RowError(row_number, row_error_text(error, AwardRecord)))
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
