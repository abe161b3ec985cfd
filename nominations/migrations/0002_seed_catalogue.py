"""Seed the document kinds and the award catalogue of Law 06/2022 and its decrees as editable data.

Figures marked UNVERIFIED in the domain brief (vote thresholds, most deadlines, some bonus coefficients) are
sensible defaults for administrators to adjust; rows that already exist are left as they are.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

CIVIL, SECURITY = "civil", "security"
COMMUNE, PROVINCE, MINISTRY, CENTRAL = 20, 30, 40, 50
ALL_SUBJECTS = ["individual", "collective", "household"]

DOCUMENT_KINDS = [
    ("submission_letter", "Tờ trình kèm danh sách đề nghị khen thưởng", "Submission letter with the list of nominees"),
    ("achievement_report", "Báo cáo thành tích", "Achievement report"),
    ("achievement_summary", "Tóm tắt thành tích", "Short achievement summary"),
    ("council_minutes", "Biên bản họp Hội đồng Thi đua - Khen thưởng", "Council meeting minutes"),
    ("initiative_proof", "Minh chứng sáng kiến, đề tài nghiên cứu", "Proof of initiatives or research"),
    ("ad_hoc_feat_proof", "Minh chứng thành tích đột xuất", "Proof of the ad-hoc feat"),
    ("concurrence_opinion", "Ý kiến hiệp y", "Concurrence opinion"),
]

STANDARD_DOCS = ["submission_letter", "achievement_report", "council_minutes"]
TITLE_DOCS = [*STANDARD_DOCS, "initiative_proof"]

# code, name_vi, name_en, form, branch, level, subjects, threshold %, denominator, simplified, posting days,
# documents, stage deadlines (working days), bonus coefficient, rules
AWARD_TYPES = [
    (
        "bk_thu_tuong", "Bằng khen của Thủ tướng Chính phủ", "Prime Minister's diploma of merit",
        "bang_khen", CIVIL, CENTRAL, ALL_SUBJECTS, 50, "present_members", True, 0,
        [*STANDARD_DOCS, "concurrence_opinion"], {"commune": 10, "province": 10, "central": 20}, "1.5", [],
    ),
    (
        "bk_chu_tich_tinh", "Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh",
        "Provincial People's Committee chair's diploma of merit",
        "bang_khen", CIVIL, PROVINCE, ALL_SUBJECTS, 50, "present_members", True, 0,
        STANDARD_DOCS, {"commune": 10, "province": 10}, "1.0", [],
    ),
    (
        "gk_chu_tich_xa", "Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã",
        "Commune People's Committee chair's certificate of merit",
        "giay_khen", CIVIL, COMMUNE, ALL_SUBJECTS, 50, "present_members", True, 0,
        ["submission_letter", "achievement_report"], {"commune": 10}, "0.3", [],
    ),
    (
        "cstd_co_so", "Chiến sĩ thi đua cơ sở", "Grassroots emulation fighter",
        "emulation_title", CIVIL, COMMUNE, ["individual"], 50, "present_members", False, 0,
        TITLE_DOCS, {"commune": 10}, "1.0", [],
    ),
    (
        "cstd_tinh", "Chiến sĩ thi đua cấp tỉnh", "Provincial emulation fighter",
        "emulation_title", CIVIL, PROVINCE, ["individual"], 90, "all_members", False, 0,
        TITLE_DOCS, {"commune": 10, "province": 10}, "3.0",
        [{"rule": "consecutive_titles", "award_codes": ["cstd_co_so"], "years": 3}],
    ),
    (
        "cstd_toan_quoc", "Chiến sĩ thi đua toàn quốc", "National emulation fighter",
        "emulation_title", CIVIL, CENTRAL, ["individual"], 90, "all_members", False, 10,
        [*TITLE_DOCS, "concurrence_opinion"], {"commune": 10, "province": 10, "central": 20}, "4.5",
        [{"rule": "consecutive_titles", "award_codes": ["cstd_tinh", "cstd_bo_cong_an"], "years": 2}],
    ),
    (
        "lao_dong_tien_tien", "Lao động tiên tiến", "Advanced worker",
        "emulation_title", CIVIL, COMMUNE, ["individual"], 50, "present_members", False, 0,
        ["submission_letter", "council_minutes"], {"commune": 10}, "0.3", [],
    ),
    (
        "tt_lao_dong_tien_tien", "Tập thể lao động tiên tiến", "Advanced labour collective",
        "emulation_title", CIVIL, COMMUNE, ["collective"], 50, "present_members", False, 0,
        ["submission_letter", "council_minutes"], {"commune": 10}, "0.8", [],
    ),
    (
        "tt_lao_dong_xuat_sac", "Tập thể lao động xuất sắc", "Excellent labour collective",
        "emulation_title", CIVIL, PROVINCE, ["collective"], 50, "present_members", False, 0,
        STANDARD_DOCS, {"commune": 10, "province": 10}, "1.5", [],
    ),
    (
        "co_thi_dua_tinh", "Cờ thi đua của Ủy ban nhân dân cấp tỉnh", "Provincial emulation flag",
        "emulation_flag", CIVIL, PROVINCE, ["collective"], 50, "present_members", False, 0,
        STANDARD_DOCS, {"commune": 10, "province": 10}, "8.0", [],
    ),
    (
        "co_thi_dua_chinh_phu", "Cờ thi đua của Chính phủ", "Government emulation flag",
        "emulation_flag", CIVIL, CENTRAL, ["collective"], 90, "all_members", False, 0,
        [*STANDARD_DOCS, "concurrence_opinion"], {"commune": 10, "province": 10, "central": 20}, "12.0", [],
    ),
    (
        "bk_bo_truong_cong_an", "Bằng khen của Bộ trưởng Bộ Công an", "Minister of Public Security's diploma of merit",
        "bang_khen", SECURITY, MINISTRY, ALL_SUBJECTS, 50, "present_members", True, 0,
        STANDARD_DOCS, {"commune": 10, "province": 10, "ministry": 10}, "1.0", [],
    ),
    (
        "gk_giam_doc_cong_an_tinh", "Giấy khen của Giám đốc Công an cấp tỉnh",
        "Provincial police director's certificate of merit",
        "giay_khen", SECURITY, PROVINCE, ALL_SUBJECTS, 50, "present_members", True, 0,
        STANDARD_DOCS, {"commune": 10, "province": 10}, "0.3", [],
    ),
    (
        "cstd_bo_cong_an", "Chiến sĩ thi đua Bộ Công an", "Ministry of Public Security emulation fighter",
        "emulation_title", SECURITY, MINISTRY, ["individual"], 90, "all_members", False, 0,
        TITLE_DOCS, {"commune": 10, "province": 10, "ministry": 10}, "3.0",
        [{"rule": "consecutive_titles", "award_codes": ["cstd_co_so"], "years": 3}],
    ),
    (
        "knc_bao_ve_an_ninh_to_quoc", "Kỷ niệm chương Bảo vệ an ninh Tổ quốc",
        "Commemorative medal for protecting national security",
        "commemorative_medal", SECURITY, MINISTRY, ["individual"], 50, "present_members", False, 0,
        ["submission_letter", "achievement_report"], {"commune": 10, "province": 10, "ministry": 10}, "0",
        [{"rule": "once_per_person"}],
    ),
]


def _history(apps, model_name, instance):
    """Write the creation row simple-history would have written, so seeded rows have a history too."""
    historical = apps.get_model("nominations", f"Historical{model_name}")
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
    historical.objects.create(
        **values, history_date=timezone.now(), history_type="+", history_change_reason="seeded catalogue"
    )


def seed(apps, schema_editor):
    DocumentKind = apps.get_model("nominations", "DocumentKind")
    AwardType = apps.get_model("nominations", "AwardType")
    kinds = {}
    for code, name_vi, name_en in DOCUMENT_KINDS:
        kind, created = DocumentKind.objects.get_or_create(code=code, defaults={"name_vi": name_vi, "name_en": name_en})
        if created:
            _history(apps, "DocumentKind", kind)
        kinds[code] = kind
    for (
        code, name_vi, name_en, form, branch, level, subjects, threshold, denominator, simplified, posting,
        documents, deadlines, bonus, rules,
    ) in AWARD_TYPES:
        award, created = AwardType.objects.get_or_create(
            code=code,
            defaults={
                "name_vi": name_vi,
                "name_en": name_en,
                "form": form,
                "deciding_branch": branch,
                "deciding_level": level,
                "eligible_subjects": subjects,
                "vote_threshold_pct": Decimal(threshold),
                "vote_denominator": denominator,
                "simplified_allowed": simplified,
                "public_posting_days": posting,
                "stage_deadlines": deadlines,
                "reminder_days_before": 2,
                "bonus_coefficient": Decimal(bonus),
                "rules": rules,
            },
        )
        if created:
            award.required_documents.set([kinds[document] for document in documents])
            _history(apps, "AwardType", award)


class Migration(migrations.Migration):
    dependencies = [("nominations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
