"""Shared set-up of the workflow tests: award types, the people of each stage, and HTTP helpers.

Everything is driven through the real URLs as the right user; the data is set up through the services.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from nominations import services as nomination_services
from nominations.models import AwardForm, AwardType, CommendationKind, SubjectType, VoteDenominator
from org_hierarchy.models import Branch, Level, Role
from org_hierarchy.roles import STAGE_ROLES
from tests.base import MeritflowTestCase, grant, make_user
from workflows.flows import NominationFlow
from workflows.selectors import node_url

# A one-page PDF is enough for the type sniffing of the minutes.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def award_type(code, *, branch, level, **fields):
    fields.setdefault("vote_threshold_pct", 50)
    fields.setdefault("vote_denominator", VoteDenominator.PRESENT_MEMBERS)
    fields.setdefault("stage_deadlines", {"commune": 10, "province": 15, "ministry": 20})
    return nomination_services.award_type_save(
        award_type=AwardType(
            code=code,
            name_vi=code,
            form=AwardForm.BANG_KHEN if level > Level.COMMUNE else AwardForm.GIAY_KHEN,
            deciding_branch=branch,
            deciding_level=level,
            eligible_subjects=[SubjectType.INDIVIDUAL, SubjectType.COLLECTIVE],
            **fields,
        ),
        actor=None,
    )


def populate(target) -> None:
    """Give ``target`` (a test class or case with ``world``) three award types, a submitter and stage officers."""
    w = target.world
    target.commune_award = award_type("commune_chair_certificate", branch=Branch.CIVIL, level=Level.COMMUNE)
    target.province_award = award_type("provincial_chair_certificate", branch=Branch.CIVIL, level=Level.PROVINCE)
    target.ministry_award = award_type("mps_minister_certificate", branch=Branch.SECURITY, level=Level.MINISTRY)
    target.submitter = grant(Role.SUBMITTER, w.residential_group, user=make_user("submitter"))
    target.officers = {}
    for unit_name in ("haichau_pc", "danang_pc", "haichau_police", "danang_police", "mps"):
        unit = getattr(w, unit_name)
        for role in STAGE_ROLES:
            target.officers[unit.pk, role] = grant(role, unit, user=make_user(f"{unit_name}_{role}"))


class FlowActions:
    """The people's actions, through the real URLs."""

    def officer(self, unit, role):
        return self.officers[unit.pk, role]

    def login(self, user):
        if getattr(self.client, "logged_in_as", None) != user.pk:
            self.client.force_login(user)
            self.client.logged_in_as = user.pk
        return user

    def make_dossier(self, award, *, nominees=2, kind=CommendationKind.ANNUAL, title="Khen thưởng tổ dân phố 12"):
        dossier = nomination_services.dossier_create(
            actor=self.submitter,
            originating_unit=self.world.residential_group,
            title=title,
            kind=kind,
            award_type=award,
            year=2026,
        )
        for index in range(nominees):
            nomination_services.nominee_add(
                dossier=dossier,
                actor=self.submitter,
                subject_type=SubjectType.INDIVIDUAL,
                full_name=f"Nguyễn Văn {chr(ord('A') + index)}",
            )
        return dossier

    # HTTP helpers --------------------------------------------------------------------------------------------

    def submit(self, dossier):
        self.login(self.submitter)
        response = self.client.post(node_url(NominationFlow.submit, "execute"), {"dossier": dossier.pk})
        self.assertEqual(response.status_code, 302, getattr(response, "context", None) and response.context.get("form"))
        return NominationFlow.process_class.objects.get(artifact_object_id=dossier.pk)

    def open_task(self, process, node=None):
        tasks = Task.objects.filter(process=process, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
        if node is not None:
            tasks = tasks.filter(flow_task=node)
        return tasks.get()

    def open_node_names(self, process):
        return sorted(
            t.flow_task.name
            for t in Task.objects.filter(
                process=process, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]
            )
        )

    def execute_url(self, task):
        return node_url(task.flow_task, "execute", task.process_id, task.pk)

    def act(self, user, task, data, *, expect=302):
        self.login(user)
        response = self.client.post(self.execute_url(task), data)
        if response.status_code != expect:
            form = response.context.get("form") if response.context else None
            self.fail(f"{task.flow_task.name}: {response.status_code} (expected {expect}); {form and form.errors}")
        return response

    def nominee_ids(self, dossier):
        return list(dossier.nominees.order_by("list_position", "pk").values_list("pk", flat=True))

    def appraise(self, process, unit, *, consult=(), return_reason="", recommend=True):
        task = self.open_task(process)
        act = "return" if return_reason else "consult" if consult else "council"
        data = {"opinion": "Đủ điều kiện, đề nghị trình Hội đồng.", "return_reason": return_reason, "act": act}
        if consult:
            data["consult_units"] = [u.pk for u in consult]
        for pk in self.nominee_ids(process.dossier):
            if recommend:
                data[f"recommend_{pk}"] = "on"
        return self.act(self.officer(unit, Role.APPRAISER), task, data)

    def vote(self, process, unit, *, members=9, votes=None):
        """``votes`` maps a nominee id to votes for (the others present vote against); default: all for."""
        task = self.open_task(process)
        data = {"members": members, "minutes": SimpleUploadedFile("bien-ban.pdf", PDF_BYTES, "application/pdf")}
        pending = process.dossier.nominees.filter(outcome="pending").values_list("pk", flat=True)
        for pk in pending:
            votes_for = (votes or {}).get(pk, members)
            data |= {f"present_{pk}": members, f"for_{pk}": votes_for, f"against_{pk}": members - votes_for}
        return self.act(self.officer(unit, Role.SECRETARY), task, data)

    def sign(self, process, unit, outcome, *, note="", drop=None, user=None):
        task = self.open_task(process)
        data = {"outcome": outcome, "note": note}
        for pk in process.dossier.nominees.filter(outcome="pending").values_list("pk", flat=True):
            if pk in (drop or {}):
                data[f"reason_{pk}"] = drop[pk]
            else:
                data[f"keep_{pk}"] = "on"
        return self.act(user or self.officer(unit, Role.APPROVER), task, data)

    def supplement(self, process, note="Đã bổ sung báo cáo thành tích."):
        task = self.open_task(process)
        return self.act(self.submitter, task, {"note": note})

    def journey_url(self, process):
        return reverse("workflows:process", args=[process.pk])


# Sixteen people per test class: a fast hasher keeps the set-up about the flow, not about PBKDF2.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class FlowTestCase(FlowActions, MeritflowTestCase):
    """The world, three award types, a submitter at the residential group and the officers of every stage unit."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        populate(cls)
