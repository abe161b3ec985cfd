"""Decided dossiers for the reports' browser test, added through the services to the served demo database.

Run by the test with ``manage.py shell -c``: the Da Nang situation of the statistics tests, in the demo's tree
(8 commune police collectives for the Minister's Bằng khen; 24 collectives and 7 individuals for the city chair's).
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from nominations import services
from nominations.demo import CAMPAIGN_NAME
from nominations.models import AwardType, Campaign, CommendationKind, SubjectType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = 2025


def _dossier(submitter_name, approver_name, award_code, *, collectives, individuals, title):
    users = get_user_model().objects
    submitter = users.get(username=submitter_name)
    unit = submitter.memberships.get(role="submitter").unit
    dossier = services.dossier_create(
        actor=submitter,
        originating_unit=unit,
        title=title,
        kind=CommendationKind.CAMPAIGN,
        award_type=AwardType.objects.get(code=award_code),
        year=YEAR,
        campaign=Campaign.objects.get(name=CAMPAIGN_NAME),
    )
    for index in range(collectives):
        services.nominee_add(
            dossier=dossier, actor=submitter, subject_type=SubjectType.COLLECTIVE, full_name=f"Tập thể số {index + 1}"
        )
    for index in range(individuals):
        services.nominee_add(
            dossier=dossier,
            actor=submitter,
            subject_type=SubjectType.INDIVIDUAL,
            full_name=f"Cá nhân số {index + 1}",
            national_id=f"{48_090_000_000 + dossier.pk * 100 + index:012d}",
        )
    for kind in dossier.award_type.required_documents.all():
        services.attachment_add(dossier=dossier, actor=submitter, kind=kind, file=ContentFile(PDF, name="tep.pdf"))
    dossier = services.dossier_submit(dossier=dossier, actor=submitter)
    issuer = dossier.route_stops.order_by("-position").first().unit
    services.decision_issue(
        dossier=dossier,
        issuer_unit=issuer,
        signer=users.get(username=approver_name),
        decision_date=datetime.date(YEAR, 12, 1),
    )


@transaction.atomic
def build():
    _dossier(
        "hcpolice.submitter",
        "bca.approver",
        "bk_bo_truong_cong_an",
        collectives=8,
        individuals=0,
        title="Khen thưởng công an các phường, xã trong phong trào",
    )
    _dossier(
        "hc.submitter",
        "dn.approver",
        "bk_chu_tich_tinh",
        collectives=24,
        individuals=7,
        title="Khen thưởng tập thể và cá nhân trong phong trào",
    )
