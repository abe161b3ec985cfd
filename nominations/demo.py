"""Demo data of the nominations: the security emulation campaign and two draft dossiers ready to submit.

Called by ``manage.py seed_demo`` after the organisation's demo; idempotent. The campaign's contents and subject
groups summarise Decision 2447/QĐ-TTg for demonstration; the description says so, and administrators replace
them with the official wording.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from org_hierarchy.models import Branch, Level, Membership, OrgUnit, Role

from . import services
from .models import AwardType, Campaign, CampaignContent, CampaignSubjectGroup, CommendationKind, Dossier, SubjectType

CAMPAIGN_NAME = "Toàn dân bảo vệ an ninh Tổ quốc"
CAMPAIGN_CONTENTS = [
    "Tuyên truyền, nâng cao nhận thức và trách nhiệm của Nhân dân trong bảo vệ an ninh Tổ quốc.",
    "Phòng ngừa, phát hiện, tố giác tội phạm và vi phạm pháp luật.",
    "Xây dựng, nhân rộng các mô hình tự quản về an ninh, trật tự ở cơ sở.",
    "Bảo đảm an ninh, trật tự tại cơ quan, doanh nghiệp và nhà trường.",
    "Tham gia bảo đảm trật tự, an toàn giao thông và phòng cháy, chữa cháy.",
    "Xây dựng lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở vững mạnh.",
]
# (Vietnamese name, English name, criteria); every group cites the plan that defines them.
CAMPAIGN_GROUPS = [
    (
        "Khu dân cư, thôn, tổ dân phố",
        "Residential areas, villages and neighbourhood groups",
        "Có mô hình tự quản hiệu quả; không để xảy ra tội phạm nghiêm trọng trên địa bàn.",
    ),
    (
        "Cơ quan, doanh nghiệp, nhà trường",
        "Agencies, enterprises and schools",
        "Chủ động phòng ngừa; bảo đảm an ninh nội bộ và an toàn cháy nổ.",
    ),
    (
        "Hộ gia đình và cá nhân",
        "Households and individuals",
        "Tích cực tố giác tội phạm, tham gia giữ gìn an ninh, trật tự nơi cư trú.",
    ),
    (
        "Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở",
        "Grassroots forces protecting security and order",
        "Hoàn thành tốt nhiệm vụ được giao; có thành tích nổi bật.",
    ),
    (
        "Công an các đơn vị, địa phương",
        "Police of the units and localities",
        "Làm nòng cốt xây dựng phong trào; có cách làm mới được nhân rộng.",
    ),
]
CAMPAIGN_GROUPS_REFERENCE = "Kế hoạch ban hành kèm Quyết định số 2447/QĐ-TTg ngày 06/11/2025, đối tượng thi đua"


def _submitter(username: str):
    """Return the demo submitter and the unit where they draft, or (None, None) if the organisation demo is absent."""
    user = get_user_model().objects.filter(username=username).first()
    membership = (
        Membership.objects.active().filter(user=user, role=Role.SUBMITTER).select_related("unit").first()
        if user
        else None
    )
    return (user, membership.unit) if membership else (None, None)


def _campaign() -> Campaign:
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is not None:
        return campaign
    launcher = OrgUnit.objects.filter(branch=Branch.CIVIL, level=Level.CENTRAL).order_by("path").first()
    if launcher is None:
        raise LookupError(_("The Government unit is missing: run import_divisions first."))
    campaign = services.campaign_save(
        campaign=Campaign(
            name=CAMPAIGN_NAME,
            legal_basis="Quyết định số 2447/QĐ-TTg ngày 06/11/2025 của Thủ tướng Chính phủ",
            description=(
                "Phong trào thi đua theo Kế hoạch ban hành kèm Quyết định số 2447/QĐ-TTg. Các nội dung thi đua và "
                "nhóm đối tượng dưới đây là bản tóm lược để minh họa; đối chiếu nguyên văn Kế hoạch trước khi sử dụng."
            ),
            period_start=datetime.date(2025, 11, 6),
            submission_opens=datetime.date(2025, 11, 6),
            launching_unit=launcher,
            report_deadline="Báo cáo kết quả hằng năm theo hướng dẫn của cơ quan thường trực",
        ),
        actor=None,
    )
    CampaignContent.objects.bulk_create(
        CampaignContent(campaign=campaign, position=n, text=text) for n, text in enumerate(CAMPAIGN_CONTENTS, start=1)
    )
    CampaignSubjectGroup.objects.bulk_create(
        CampaignSubjectGroup(
            campaign=campaign,
            position=n,
            name_vi=name_vi,
            name_en=name_en,
            criteria=criteria,
            legal_reference=CAMPAIGN_GROUPS_REFERENCE,
        )
        for n, (name_vi, name_en, criteria) in enumerate(CAMPAIGN_GROUPS, start=1)
    )
    return campaign


def _demo_pdf(title: str) -> bytes:
    """Return a one-page PDF saying it is a demo document, with a correct cross-reference table."""
    text = f"Meritflow demo document: {title}".encode("ascii", "replace")
    text = text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def _draft(*, actor, unit, title: str, award_code: str, kind: str, campaign=None, nominees=()) -> bool:
    if Dossier.objects.filter(originating_unit=unit, title=title).exists():
        return False
    dossier = services.dossier_create(
        actor=actor,
        originating_unit=unit,
        title=title,
        kind=kind,
        award_type=AwardType.objects.get(code=award_code),
        year=timezone.localdate().year,
        campaign=campaign,
    )
    for subject_type, name, fields in nominees:
        services.nominee_add(dossier=dossier, actor=actor, subject_type=subject_type, full_name=name, **fields)
    # Demo files for every required document, so the draft can be submitted at once.
    for document in dossier.award_type.required_documents.all():
        services.attachment_add(
            dossier=dossier,
            actor=actor,
            kind=document,
            file=ContentFile(_demo_pdf(document.name_en or document.code), name=f"{document.code}.pdf"),
        )
    return True


def seed(stdout) -> None:
    """Create the campaign and the demo drafts; skip the drafts when the organisation demo users are absent."""
    campaign = _campaign()
    stdout.write(_("Campaign: %(name)s") % {"name": campaign.name})
    created = found = 0
    user, unit = _submitter("tdp12.submitter")
    if user is not None:
        found += 1
        created += _draft(
            actor=user,
            unit=unit,
            title="Đề nghị Bằng khen của Bộ trưởng Bộ Công an trong phong trào Toàn dân bảo vệ an ninh Tổ quốc",
            award_code="bk_bo_truong_cong_an",
            kind=CommendationKind.CAMPAIGN,
            campaign=campaign,
            nominees=[
                (
                    SubjectType.INDIVIDUAL,
                    "Trần Văn Hùng",
                    {
                        "gender": "male",
                        "position": "Tổ trưởng tổ bảo vệ an ninh, trật tự",
                        "workplace": unit.name,
                        "national_id": "048085001234",
                        "achievement_summary": "Phát hiện, tố giác 3 vụ trộm cắp tài sản trên địa bàn.",
                    },
                ),
                (
                    SubjectType.COLLECTIVE,
                    unit.name,
                    {"collective_unit": unit, "achievement_summary": "Mô hình camera an ninh khu dân cư."},
                ),
                (
                    SubjectType.HOUSEHOLD,
                    "Hộ gia đình ông Lê Văn Minh",
                    {"achievement_summary": "Tích cực tham gia tuần tra, giữ gìn trật tự khu phố."},
                ),
            ],
        )
    user, unit = _submitter("school.submitter")
    if user is not None:
        found += 1
        created += _draft(
            actor=user,
            unit=unit,
            title="Đề nghị Giấy khen của Chủ tịch Ủy ban nhân dân phường năm học 2025-2026",
            award_code="gk_chu_tich_xa",
            kind=CommendationKind.ANNUAL,
            nominees=[
                (
                    SubjectType.INDIVIDUAL,
                    "Nguyễn Thị Lan",
                    {
                        "gender": "female",
                        "position": "Giáo viên",
                        "workplace": unit.name,
                        "national_id": "048190004567",
                        "achievement_summary": "Hoàn thành xuất sắc nhiệm vụ năm học; 2 sáng kiến được công nhận.",
                    },
                ),
            ],
        )
    if not found:
        stdout.write(_("The demo submitters are absent: no demo dossier was created."))
    stdout.write(_("Demo dossiers created: %(count)d") % {"count": created})
