"""Decisions and certificates as PDF: Django templates in the Decree 30/2020 layout, printed by WeasyPrint.

The documents are legal texts in Vietnamese whatever the reader's language (Decree 30/2020 Art 8), so they are
rendered with Vietnamese active. The fonts are the system's (Liberation Serif, metric-compatible with Times New
Roman, from Debian's fonts-liberation2); nothing is downloaded. Rendering is deterministic: the same data gives
the same bytes, which ``documents.services`` relies on to keep stored files immutable.
"""

import base64
import datetime
import functools
import io
import ssl
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from nominations.models import AwardForm, AwardRecord, Decision, Gender, SubjectType

STYLES = Path(__file__).parent / "pdf"
# The heading a certificate carries for each form of award; other forms print the award's own name.
CERTIFICATE_HEADINGS = {AwardForm.BANG_KHEN: "BẰNG KHEN", AwardForm.GIAY_KHEN: "GIẤY KHEN"}
SUBJECT_GROUPS = [
    (SubjectType.COLLECTIVE, "Tập thể"),
    (SubjectType.INDIVIDUAL, "Cá nhân"),
    (SubjectType.HOUSEHOLD, "Hộ gia đình"),
]
ROMAN = ["I", "II", "III"]


def _conf() -> dict:
    return settings.MERITFLOW_DOCUMENTS


def long_date(day: datetime.date) -> str:
    """Decree 30/2020 Annex I: "ngày 05 tháng 02 năm 2026": days below 10 and months below 3 take a zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _strip_prefix(text: str, prefix: str) -> str:
    return text[len(prefix) :].strip() if prefix and text.lower().startswith(prefix.lower()) else text


def collegial_body(unit) -> tuple[str, dict] | None:
    """The collegial body (e.g. Ủy ban nhân dân) the issuer is, with its titles, or None for a one-head issuer."""
    for body, titles in _conf()["collegial_bodies"].items():
        if unit.name.lower().startswith(body.lower()):
            return body, titles
    return None


def place_of(unit) -> str:
    """The place line's name: "Hải Châu" for Ủy ban nhân dân Phường Hải Châu, or the configured one."""
    places = _conf()["places"]
    if unit.name in places:
        return places[unit.name]
    name = unit.name
    for prefix in _conf()["name_prefixes"]:
        name = _strip_prefix(name, prefix)
    return _strip_prefix(name, unit.division_type) or name


@dataclass(frozen=True)
class Signature:
    """The signer's block (Decree 30/2020 Art 13): "TM." body, "KT." or "Q." head title, own title, name."""

    authority: str
    authority_text: str
    lines: list[str]
    name: str


def signature_of(decision: Decision) -> Signature:
    conf = _conf()
    body = collegial_body(decision.issuer_unit)
    titles = body[1] if body else conf["default_titles"]
    signer_position = (decision.signer.position or "").strip()
    lines = [f"TM. {body[0].upper()}"] if body else []
    if decision.acting_for_id:
        head_title = (decision.acting_for.position or "").strip() or titles["head"]
        lines += [f"KT. {head_title.upper()}", (signer_position or titles["deputy"]).upper()]
    elif signer_position and signer_position.lower().startswith(conf["acting_prefix"].lower()):
        head_title = _strip_prefix(signer_position, conf["acting_prefix"])
        lines.append(f"Q. {head_title.upper()}")
    else:
        head_title = signer_position or titles["head"]
        lines.append(head_title.upper())
    # The issuing authority under the title: the head's title and the issuer (Chủ tịch Ủy ban nhân dân …).
    authority = f"{head_title} {decision.issuer_unit.name}"
    name = decision.signer.full_name or decision.signer.get_username()
    return Signature(authority=authority.upper(), authority_text=authority, lines=lines, name=name)


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("documents:verify_code", args=[code])


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as a PNG data URI (a PNG, so the PDF carries it as an image that can be read back)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=5, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# A document reads nothing from the network: only the data: URIs of its QR codes and its own stylesheets. A bare
# TLS context, made once, spares WeasyPrint's fetcher loading the system's certificates for every document
# (a quarter of a second each time).
_NO_NETWORK = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _fetcher() -> URLFetcher:
    return URLFetcher(ssl_context=_NO_NETWORK, allowed_protocols=["data", "file"])


@functools.cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def _stylesheets(stylesheet: str, page_size: str) -> tuple[CSS, CSS]:
    """The parsed stylesheets, kept for the process: parsing them is a good part of a certificate's cost."""
    fonts, fetcher = _fonts(), _fetcher()
    return (
        CSS(filename=str(STYLES / stylesheet), font_config=fonts, url_fetcher=fetcher),
        CSS(string=f"@page {{ size: {page_size}; }}", font_config=fonts, url_fetcher=fetcher),
    )


def _pdf(template: str, context: dict, stylesheet: str, page_size: str = "A4") -> bytes:
    with translation.override("vi"):
        html = render_to_string(template, context)
    document = HTML(string=html, base_url=str(STYLES), url_fetcher=_fetcher())
    return document.write_pdf(stylesheets=_stylesheets(stylesheet, page_size), font_config=_fonts())


def _heading_context(decision: Decision) -> dict:
    return {
        "decision": decision,
        "dossier": decision.dossier,
        "award_type": decision.dossier.award_type,
        "issuer": decision.issuer_unit,
        "signature": signature_of(decision),
        "place": place_of(decision.issuer_unit),
        "long_date": long_date(decision.decision_date),
    }


def _honorific(record: AwardRecord) -> str:
    nominee = record.nominee
    if record.subject_type != SubjectType.INDIVIDUAL or nominee is None:
        return ""
    return {Gender.MALE: "Ông", Gender.FEMALE: "Bà"}.get(nominee.gender, "")


def _described(record: AwardRecord) -> dict:
    nominee = record.nominee
    details = []
    if nominee is not None:
        if nominee.position:
            details.append(nominee.position)
        if nominee.workplace:
            details.append(nominee.workplace)
        if nominee.collective_unit_id and not details:
            details.append(nominee.collective_unit.name)
    return {
        "record": record,
        "honorific": _honorific(record),
        "details": ", ".join(details),
        "achievement": (nominee.achievement_summary if nominee else "") or record.decision.dossier.title,
    }


def decision_pdf(decision: Decision, records: list[AwardRecord]) -> bytes:
    """The decision (Decree 30/2020 Annex I, form 1.4) and its annex listing every awardee by subject kind."""
    groups = []
    for subject, label in SUBJECT_GROUPS:
        rows = [_described(record) for record in records if record.subject_type == subject]
        if rows:
            groups.append({"numeral": ROMAN[len(groups)], "label": label, "rows": rows})
    dossier = decision.dossier
    context = {
        **_heading_context(decision),
        "groups": groups,
        "count": len(records),
        "legal_bases": [line.strip() for line in dossier.award_type.legal_bases.splitlines() if line.strip()],
        "recipients": [line.strip() for line in dossier.award_type.recipients.splitlines() if line.strip()],
        "letter_date": dossier.letter_date.strftime("%d/%m/%Y") if dossier.letter_date else "",
        "short_date": decision.decision_date.strftime("%d/%m/%Y"),
    }
    return _pdf("documents/pdf/decision.html", context, "decision.css")


def _certificate_context(decision: Decision, record: AwardRecord) -> dict:
    revocation = record.revocation
    return {
        **_described(record),
        "verify_url": verification_url(record.verification_code),
        "qr": qr_data_uri(verification_url(record.verification_code)),
        "revocation": revocation,
        "revoked_date": revocation.revoked_on.strftime("%d/%m/%Y") if revocation else "",
    }


def certificates_pdf(decision: Decision, records: list[AwardRecord]) -> bytes:
    """One certificate page per awardee (one record: the awardee's own certificate).

    WeasyPrint keeps the whole document's layout in memory; a decision's printing set goes through
    ``certificates_pdf_joined`` instead.
    """
    award_type = decision.dossier.award_type
    context = {
        **_heading_context(decision),
        "heading": CERTIFICATE_HEADINGS.get(award_type.form, award_type.name_vi.upper()),
        "short_date": decision.decision_date.strftime("%d/%m/%Y"),
        "certificates": [_certificate_context(decision, record) for record in records],
    }
    return _pdf("documents/pdf/certificates.html", context, "certificate.css", _conf()["certificate_page"])


def certificates_pdf_joined(decision: Decision, records: list[AwardRecord], *, batch: int | None = None) -> bytes:
    """Every certificate of ``records``, rendered ``batch`` at a time and joined into one PDF with pypdf.

    The worker's memory is bounded by one batch's layout whatever the number of awardees (one WeasyPrint document
    of 1,000 pages took 629 MiB). The join is deterministic: the same batches give the same bytes.
    """
    batch = batch or _conf()["certificate_batch"]
    writer = PdfWriter()
    for start in range(0, len(records), batch):
        writer.append(PdfReader(io.BytesIO(certificates_pdf(decision, records[start : start + batch]))))
    writer.add_metadata({"/Title": f"Quyết định số {decision.number_display}"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
