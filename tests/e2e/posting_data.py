"""A dossier at the city's appraisal with a public posting, and the posting's timer made due, for the posting's
browser test.

Run by the test with ``manage.py shell -c`` against the served demo database: the city chair's Bằng khen is given
a posting period (in data, with its legal reference), and Tổ dân phố 12's dossier is submitted and taken through
the ward's stage and the city's appraisal through the real step views, with the workflow tests' helpers.
"""

import datetime
import unittest
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task

from nominations import services
from nominations.models import AwardType, CommendationKind, Dossier
from tests.workflows.base import PDF_BYTES, FlowActions
from workflows.flows import NominationFlow
from workflows.models import StageOutcome

AWARD = "bk_chu_tich_tinh"
TITLE = "Khen thưởng tổ dân phố 12 có thành tích xuất sắc năm 2026"
POSTING_DAYS = 10
REFERENCE = "Nghị định 98/2023/NĐ-CP, Điều 46"


class _Stages(FlowActions, unittest.TestCase):
    """The workflow tests' actions on the demo's people: ``<unit prefix>.<role>`` act for their unit."""

    def __init__(self):
        super().__init__()
        self.client = Client()
        self.users = get_user_model().objects
        self.submitter = self.users.get(username="tdp12.submitter")
        self.world = SimpleNamespace(residential_group=self.submitter.memberships.get(role="submitter").unit)

    def seat(self, username):
        return self.users.get(username=username).memberships.get(role=username.split(".")[1])

    def officer(self, unit, role):
        return self.users.get(memberships__unit=unit, memberships__role=role, username__endswith=f".{role}")


def posted() -> None:
    """Give the award type its posting period, then bring a dossier to the city's council: the posting opens."""
    award = AwardType.objects.get(code=AWARD)
    award.public_posting_days = POSTING_DAYS
    award.public_posting_reference = REFERENCE
    services.award_type_save(
        award_type=award, actor=None, changed_fields=["public_posting_days", "public_posting_reference"]
    )
    stages = _Stages()
    dossier = stages.make_dossier(award, title=TITLE, kind=CommendationKind.ANNUAL)
    for kind in award.required_documents.all():
        services.attachment_add(
            dossier=dossier, actor=stages.submitter, kind=kind, file=ContentFile(PDF_BYTES, name="tep.pdf")
        )
    process = stages.submit(dossier)
    ward, city = (stages.seat(f"{prefix}.appraiser").unit for prefix in ("hc", "dn"))
    stages.appraise(process, ward)
    stages.vote(process, ward)
    stages.sign(process, ward, StageOutcome.FORWARD)
    stages.appraise(process, city)


def period_over() -> None:
    """Make the posting's timer due now (as if its last day were over), for the dispatcher to close it."""
    dossier = Dossier.objects.get(title=TITLE)
    process = NominationFlow.process_class.objects.get(artifact_object_id=dossier.pk)
    Task.objects.filter(process=process, flow_task=NominationFlow.province_posting).update(
        scheduled=timezone.now() - datetime.timedelta(seconds=1)
    )
