"""The Da Nang 2024 situation, built through the services, for the reports tests."""

import datetime
import itertools

from nominations import services
from nominations.models import AwardType, Campaign, CampaignContent, CampaignSubjectGroup, CommendationKind, SubjectType
from org_hierarchy.models import Role
from tests.base import grant
from tests.nominations.support import attach_required

_ids = itertools.count(1)

CAMPAIGN_NAME = "Toàn dân bảo vệ an ninh Tổ quốc"
GROUPS = [
    ("Khu dân cư, thôn, tổ dân phố", "Residential areas, villages and neighbourhood groups"),
    ("Hộ gia đình và cá nhân", "Households and individuals"),
]
CONTENTS = ["Tuyên truyền, nâng cao nhận thức", "Phòng ngừa, tố giác tội phạm", "Mô hình tự quản"]


def campaign(world) -> Campaign:
    created = services.campaign_save(
        campaign=Campaign(
            name=CAMPAIGN_NAME,
            legal_basis="Quyết định số 2447/QĐ-TTg",
            period_start=datetime.date(2024, 1, 1),
            launching_unit=world.government,
        ),
        actor=None,
    )
    for position, text in enumerate(CONTENTS, start=1):
        CampaignContent.objects.create(campaign=created, position=position, text=text)
    for position, (name_vi, name_en) in enumerate(GROUPS, start=1):
        CampaignSubjectGroup.objects.create(
            campaign=created, position=position, name_vi=name_vi, name_en=name_en, legal_reference="QĐ 2447/QĐ-TTg"
        )
    return created


def submitted(unit, *, award_code, collectives=0, individuals=0, year=2024, campaign=None, submitter=None, groups=()):
    """A dossier of ``unit`` with the given nominees, submitted; returns (dossier, submitter). The first
    individuals are put in ``groups``, one each, in order."""
    submitter = submitter or grant(Role.SUBMITTER, unit)
    dossier = services.dossier_create(
        actor=submitter,
        originating_unit=unit,
        title=f"Đề nghị khen thưởng {next(_ids)}",
        kind=CommendationKind.CAMPAIGN if campaign else CommendationKind.ANNUAL,
        award_type=AwardType.objects.get(code=award_code),
        year=year,
        campaign=campaign,
    )
    for index in range(collectives):
        services.nominee_add(
            dossier=dossier, actor=submitter, subject_type=SubjectType.COLLECTIVE, full_name=f"Tập thể {index + 1}"
        )
    for index in range(individuals):
        services.nominee_add(
            dossier=dossier,
            actor=submitter,
            subject_type=SubjectType.INDIVIDUAL,
            full_name=f"Cá nhân {index + 1}",
            national_id=f"{48_000_000_000 + next(_ids):012d}",
            subject_group=groups[index] if index < len(groups) else None,
        )
    attach_required(dossier, submitter)
    return services.dossier_submit(dossier=dossier, actor=submitter), submitter


def decide(dossier, *, on=datetime.date(2024, 12, 16)):
    """Issue the decision at the end of the dossier's route, signed by a head of that unit."""
    issuer = dossier.route_stops.order_by("-position").first().unit
    head = grant(Role.APPROVER, issuer)
    return services.decision_issue(dossier=dossier, issuer_unit=issuer, signer=head, decision_date=on)


def build_danang_2024(world, campaign) -> dict:
    """8 commune police collectives for the Minister of Public Security's Bằng khen; 24 collectives and 7
    individuals for the city chair's Bằng khen; around them what must not count as awarded in 2024."""
    police, _s = submitted(world.danang_police, award_code="bk_bo_truong_cong_an", collectives=8, campaign=campaign)
    decide(police)
    haichau, haichau_submitter = submitted(
        world.haichau_pc, award_code="bk_chu_tich_tinh", collectives=14, individuals=5, campaign=campaign
    )
    # One individual dropped at the commune stage: 4 of Hải Châu's individuals are awarded.
    stage = haichau.route_stops.order_by("position").first().unit
    services.nominee_drop(
        nominee=haichau.nominees.filter(subject_type=SubjectType.INDIVIDUAL).last(),
        actor=grant(Role.APPROVER, stage),
        stage_unit=stage,
        reason="Chưa đủ tiêu chuẩn",
    )
    decide(haichau)
    thanhkhe, _s = submitted(
        world.thanhkhe_pc, award_code="bk_chu_tich_tinh", collectives=10, individuals=3, campaign=campaign
    )
    decide(thanhkhe)
    rejected, _s = submitted(world.thanhkhe_pc, award_code="bk_chu_tich_tinh", individuals=2, campaign=campaign)
    stage = rejected.route_stops.order_by("position").first().unit
    services.dossier_reject(dossier=rejected, actor=grant(Role.APPROVER, stage), stage_unit=stage, reason="Không đạt")
    in_progress, _s = submitted(
        world.residential_group, award_code="bk_chu_tich_tinh", individuals=1, campaign=campaign
    )
    # A draft never counts; nor do the awards of another year.
    services.dossier_create(
        actor=haichau_submitter,
        originating_unit=world.haichau_pc,
        title="Bản nháp",
        kind=CommendationKind.ANNUAL,
        award_type=AwardType.objects.get(code="bk_chu_tich_tinh"),
        year=2024,
    )
    earlier, _s = submitted(world.haichau_pc, award_code="bk_chu_tich_tinh", individuals=5, year=2023)
    decide(earlier, on=datetime.date(2023, 12, 1))
    return {"police": police, "haichau": haichau, "thanhkhe": thanhkhe, "rejected": rejected, "open": in_progress}
