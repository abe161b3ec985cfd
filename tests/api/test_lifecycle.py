"""A ministry award's whole journey through the API alone, as service accounts of the right units.

Submit, three stages (appraise, vote, sign at the ward police, the city police and the Ministry), the decision;
on the way: scoping (404), separation of duties and the auditor's read-only access (403), idempotent retries and
If-Match conflicts, as an integrating system sees them.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.models import Task

from audit.models import LedgerEntry
from nominations.models import Campaign, CampaignSubjectGroup, Dossier, DossierStatus, NomineeOutcome
from workflows.flows import NominationFlow
from workflows.models import StageOutcome

from ..workflows.base import PDF_BYTES, populate
from .support import ApiTestCase, Role, grant

DOSSIERS = "/api/v1/dossiers/"
TASKS = "/api/v1/tasks/"
ROUTE = ("haichau_police", "danang_police", "mps")


class ApiFlowTestCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        populate(cls)

    def setUp(self):
        super().setUp()
        w = self.world
        self.submitter_account = self.account(w.residential_group, Role.SUBMITTER)
        self.tokens = {"submitter": self.issue_for(self.submitter_account)}
        for name in ROUTE:
            for role in (Role.APPRAISER, Role.SECRETARY, Role.APPROVER):
                self.tokens[name, role] = self.token_for(getattr(w, name), role)
        self.auditor = self.token_for(w.danang_police, Role.AUDITOR)
        self.foreign = self.token_for(w.hanoi_police, Role.APPRAISER)

    def issue_for(self, account):
        from .support import issue

        return issue(account)

    def send(self, method, url, token, data=None, **kwargs):
        return self.call(method, url, token, data=data if data is not None else {}, **kwargs)

    def draft(self, *, nominees=2):
        token = self.tokens["submitter"]
        response = self.post(
            DOSSIERS,
            {
                "originating_unit": self.world.residential_group.pk,
                "title": "Đề nghị Bằng khen của Bộ trưởng Bộ Công an năm 2026",
                "kind": "annual",
                "award_type": self.ministry_award.pk,
                "year": 2026,
            },
            token,
        )
        self.assertEqual(response.status_code, 201, response.content)
        dossier_id = response.json()["id"]
        self.assertEqual(response["Location"], f"{DOSSIERS}{dossier_id}/")
        for index in range(nominees):
            added = self.post(
                f"{DOSSIERS}{dossier_id}/nominees/",
                {"subject_type": "individual", "full_name": f"Trần Văn {chr(ord('A') + index)}", "gender": "male"},
                token,
            )
            self.assertEqual(added.status_code, 201, added.content)
        return dossier_id

    def submit(self, dossier_id, key="submit-1"):
        response = self.post(
            f"{DOSSIERS}{dossier_id}/submit/", token=self.tokens["submitter"], headers={"Idempotency-Key": key}
        )
        self.assertEqual(response.status_code, 200, response.content)
        return response

    def open_task(self, token):
        tasks = self.get(TASKS, token).json()["results"]
        self.assertEqual(len(tasks), 1, tasks)
        return tasks[0]

    def pending(self, dossier_id):
        nominees = self.get(f"{DOSSIERS}{dossier_id}/nominees/", self.tokens["submitter"]).json()
        return [n["id"] for n in nominees if n["outcome"]["code"] == NomineeOutcome.PENDING]

    def act(self, task_id, token, data, *, expect=200, key=None, multipart=False):
        headers = {"Idempotency-Key": key} if key else {}
        if multipart:
            response = self.client.post(
                f"{TASKS}{task_id}/act/", data, headers={"Authorization": f"Bearer {token}", **headers}
            )
        else:
            response = self.post(f"{TASKS}{task_id}/act/", data, token, headers=headers)
        self.assertEqual(response.status_code, expect, response.content[:800])
        return response

    def appraise(self, dossier_id, unit, **fields):
        token = self.tokens[unit, Role.APPRAISER]
        task = self.open_task(token)
        self.assertEqual(task["step"], "appraise")
        data = {"act": "council", "opinion": "Đủ điều kiện, đề nghị trình Hội đồng.", **fields}
        data |= {f"recommend_{pk}": True for pk in self.pending(dossier_id)}
        return task, data, self.act(task["id"], token, data, key=f"appraise-{task['id']}")

    def vote(self, dossier_id, unit):
        token = self.tokens[unit, Role.SECRETARY]
        task = self.open_task(token)
        self.assertEqual(task["step"], "vote")
        data = {"members": 9, "minutes": SimpleUploadedFile("bien-ban.pdf", PDF_BYTES, "application/pdf")}
        for pk in self.pending(dossier_id):
            data |= {f"present_{pk}": 9, f"for_{pk}": 8, f"against_{pk}": 1}
        return self.act(task["id"], token, data, multipart=True)

    def sign(self, dossier_id, unit, outcome, note=""):
        token = self.tokens[unit, Role.APPROVER]
        task = self.open_task(token)
        self.assertEqual(task["step"], "sign")
        data = {"outcome": outcome, "note": note} | {f"keep_{pk}": True for pk in self.pending(dossier_id)}
        return self.act(task["id"], token, data)


class MinistryLifecycleTests(ApiFlowTestCase):
    def test_a_ministry_award_from_draft_to_decision_through_the_api_alone(self):
        w = self.world
        dossier_id = self.draft()
        submitter = self.tokens["submitter"]
        self.assertTrue(self.get(f"{DOSSIERS}{dossier_id}/eligibility/", submitter).json()["passed"])

        first = self.submit(dossier_id)
        retried = self.submit(dossier_id)
        self.assertEqual(retried["Idempotent-Replayed"], "true")
        self.assertEqual(retried.json(), first.json())
        self.assertEqual(NominationFlow.process_class.objects.filter(artifact_object_id=dossier_id).count(), 1)
        self.assertEqual(LedgerEntry.objects.filter(event="dossier.submitted").count(), 1)
        self.assertEqual(first.json()["route"], [getattr(w, name).pk for name in ROUTE])
        # The same key for another request is a conflict, not a replay.
        reused = self.post(
            f"{DOSSIERS}{dossier_id}/withdraw/", {"reason": "x"}, submitter, headers={"Idempotency-Key": "submit-1"}
        )
        self.assertProblem(reused, 409, code="conflict")

        for index, name in enumerate(ROUTE):
            last = index == len(ROUTE) - 1
            task, sent, appraised = self.appraise(dossier_id, name)
            again = self.act(task["id"], self.tokens[name, Role.APPRAISER], sent, key=f"appraise-{task['id']}")
            self.assertEqual(again["Idempotent-Replayed"], "true")
            self.assertEqual(again.json(), appraised.json())
            self.vote(dossier_id, name)
            self.sign(dossier_id, name, StageOutcome.DECIDE if last else StageOutcome.FORWARD)

        dossier = Dossier.objects.get(pk=dossier_id)
        self.assertEqual(dossier.status, DossierStatus.DECIDED)
        self.assertEqual(dossier.decision.issuer_unit, w.mps)
        self.assertEqual(set(dossier.nominees.values_list("outcome", flat=True)), {NomineeOutcome.AWARDED})
        body = self.get(f"{DOSSIERS}{dossier_id}/", self.auditor).json()
        self.assertEqual(body["status"]["code"], DossierStatus.DECIDED)
        entries = LedgerEntry.objects.filter(subject_type__model="dossier", subject_id=str(dossier_id))
        events = list(entries.values_list("event", flat=True))
        for event, count in (("stage.appraised", 3), ("stage.voted", 3), ("stage.signed", 3), ("decision.issued", 1)):
            self.assertEqual(events.count(event), count, event)
        # Every act is the service account's, in the ledger and in the steps' history.
        actors = set(entries.values_list("actor__service_account__name", flat=True))
        self.assertNotIn(None, actors)
        self.assertIn(self.submitter_account.name, actors)
        self.assertEqual(len(actors), 1 + 3 * 3)

    def test_scoping_separation_of_duties_and_the_auditor_from_the_outside(self):
        w = self.world
        dossier_id = self.draft()
        self.submit(dossier_id)
        appraiser = self.tokens["haichau_police", Role.APPRAISER]
        task = self.open_task(appraiser)
        # Another province's appraiser: the dossier and its step do not exist for them.
        self.assertProblem(self.get(f"{DOSSIERS}{dossier_id}/", self.foreign), 404)
        self.assertProblem(self.get(f"{TASKS}{task['id']}/", self.foreign), 404)
        self.assertProblem(self.post(f"{TASKS}{task['id']}/act/", {"act": "council"}, self.foreign), 404)
        self.assertEqual(self.get(TASKS, self.foreign).json()["results"], [])
        # The dossier's own submitter, though also an appraiser at the stage unit, may not act on it.
        grant(Role.APPRAISER, w.haichau_police, user=self.submitter_account.user)
        submitter = self.tokens["submitter"]
        detail = self.get(f"{TASKS}{task['id']}/", submitter).json()
        self.assertFalse(detail["may_act"])
        self.assertEqual(self.get(f"{TASKS}queue/", submitter).json()["results"], [])
        refused = self.post(f"{TASKS}{task['id']}/act/", {"act": "council", "opinion": "x"}, submitter)
        self.assertProblem(refused, 403, code="forbidden")
        # The auditor reads, and is refused any change.
        self.assertEqual(self.get(f"{DOSSIERS}{dossier_id}/", self.auditor).status_code, 200)
        self.assertEqual(self.get(f"{TASKS}{task['id']}/", self.auditor).status_code, 200)
        self.assertProblem(self.post(f"{TASKS}{task['id']}/act/", {"act": "council"}, self.auditor), 403)
        self.assertProblem(self.post(f"{DOSSIERS}{dossier_id}/withdraw/", {"reason": "x"}, self.auditor), 403)
        # The appraiser's view of the step lists what the act expects, by the page form's field names.
        detail = self.get(f"{TASKS}{task['id']}/", appraiser).json()
        self.assertTrue(detail["may_act"])
        names = {field["name"] for field in detail["inputs"]}
        self.assertTrue({"opinion", "return_reason", "consult_units"} <= names)
        self.assertIn(f"recommend_{self.pending(dossier_id)[0]}", names)
        # Bad input is the form's own message, in the caller's language, and nothing is acted.
        bad = self.call("post", f"{TASKS}{task['id']}/act/", appraiser, data={"act": "council"}, language="en")
        body = self.assertProblem(bad, 400, code="validation")
        self.assertEqual(body["errors"]["opinion"], ["This field is required."])
        self.assertEqual(Task.objects.get(pk=task["id"]).status, "NEW")

    def test_edits_need_the_etag_last_read(self):
        dossier_id = self.draft(nominees=0)
        submitter = self.tokens["submitter"]
        read = self.get(f"{DOSSIERS}{dossier_id}/", submitter)
        etag = read["ETag"]
        url = f"{DOSSIERS}{dossier_id}/"
        self.assertProblem(self.call("patch", url, submitter, data={"title": "Mới"}), 428)
        changed = self.call("patch", url, submitter, data={"title": "Tiêu đề mới"}, headers={"If-Match": etag})
        self.assertEqual(changed.status_code, 200, changed.content)
        self.assertEqual(changed.json()["title"], "Tiêu đề mới")
        self.assertEqual(changed.json()["year"], 2026)
        self.assertNotEqual(changed["ETag"], etag)
        # A second writer who read before the change is refused, and the first change stands.
        stale = self.call("patch", url, submitter, data={"title": "Cũ"}, headers={"If-Match": etag})
        self.assertProblem(stale, 412, code="precondition-failed")
        self.assertEqual(Dossier.objects.get(pk=dossier_id).title, "Tiêu đề mới")
        # Adding a nominee changes the dossier too.
        self.post(f"{DOSSIERS}{dossier_id}/nominees/", {"subject_type": "individual", "full_name": "Lê C"}, submitter)
        stale = self.call("patch", url, submitter, data={"year": 2025}, headers={"If-Match": changed["ETag"]})
        self.assertProblem(stale, 412)
        # Bad input: the page form's messages, field by field.
        fresh = self.get(url, submitter)["ETag"]
        bad = self.call("patch", url, submitter, data={"year": 1800}, headers={"If-Match": fresh}, language="en")
        self.assertIn("year", self.assertProblem(bad, 400)["errors"])
        # Another unit's submitter cannot even see it; the auditor cannot change it.
        other = self.token_for(self.world.school, Role.SUBMITTER)
        self.assertProblem(self.call("patch", url, other, data={}, headers={"If-Match": fresh}), 404)
        self.assertProblem(self.call("patch", url, self.auditor, data={}, headers={"If-Match": fresh}), 403)

    def test_return_resubmit_and_withdraw_with_retries(self):
        dossier_id = self.draft()
        self.submit(dossier_id)
        self.appraise(dossier_id, "haichau_police", act="return", return_reason="Bổ sung báo cáo thành tích.")
        self.assertEqual(Dossier.objects.get(pk=dossier_id).status, DossierStatus.RETURNED)
        submitter = self.tokens["submitter"]
        url = f"{DOSSIERS}{dossier_id}/resubmit/"
        first = self.post(url, {"note": "Đã bổ sung."}, submitter, headers={"Idempotency-Key": "resubmit-1"})
        self.assertEqual(first.status_code, 200, first.content)
        self.assertEqual(first.json()["status"]["code"], DossierStatus.SUBMITTED)
        again = self.post(url, {"note": "Đã bổ sung."}, submitter, headers={"Idempotency-Key": "resubmit-1"})
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again["Idempotent-Replayed"], "true")
        self.assertEqual(LedgerEntry.objects.filter(event="dossier.resubmitted").count(), 1)
        self.assertProblem(self.post(url, {"note": "x"}, submitter), 409)

        withdraw = f"{DOSSIERS}{dossier_id}/withdraw/"
        self.assertProblem(self.post(withdraw, {}, submitter), 400)
        done = self.post(withdraw, {"reason": "Rút để hoàn thiện."}, submitter, headers={"Idempotency-Key": "w-1"})
        self.assertEqual(done.status_code, 200, done.content)
        self.assertEqual(done.json()["status"]["code"], DossierStatus.WITHDRAWN)
        again = self.post(withdraw, {"reason": "Rút để hoàn thiện."}, submitter, headers={"Idempotency-Key": "w-1"})
        self.assertEqual(again.status_code, 200)
        self.assertEqual(LedgerEntry.objects.filter(event="dossier.withdrawn").count(), 1)
        self.assertProblem(self.post(withdraw, {"reason": "Lần nữa."}, submitter), 409)
        self.assertProblem(self.post(f"{DOSSIERS}{dossier_id}/submit/", token=submitter), 409)

    def test_an_individual_is_put_in_a_group_of_the_dossiers_campaign(self):
        w = self.world
        submitter = self.tokens["submitter"]
        campaign = Campaign.objects.create(
            name="Phong trào thi đua vì an ninh Tổ quốc", period_start=datetime.date(2026, 1, 1), launching_unit=w.mps
        )
        group = CampaignSubjectGroup.objects.create(campaign=campaign, name_vi="Quần chúng", name_en="Citizens")
        other = Campaign.objects.create(name="Khác", period_start=datetime.date(2026, 1, 1), launching_unit=w.mps)
        foreign_group = CampaignSubjectGroup.objects.create(campaign=other, name_vi="Khác")
        dossier_id = self.draft(nominees=0)
        url = f"{DOSSIERS}{dossier_id}/"
        etag = self.get(url, submitter)["ETag"]
        moved = self.call("patch", url, submitter, data={"campaign": campaign.pk}, headers={"If-Match": etag})
        self.assertEqual(moved.status_code, 200, moved.content)
        nominees = f"{url}nominees/"
        added = self.post(
            nominees, {"subject_type": "individual", "full_name": "Lê D", "subject_group": group.pk}, submitter
        )
        self.assertEqual(added.status_code, 201, added.content)
        self.assertEqual(added.json()["subject_group"], group.pk)
        self.assertEqual(self.get(url, submitter).json()["nominees"][0]["subject_group"], group.pk)
        # Another campaign's group, or a group for a collective, is refused with the form's message.
        wrong = self.call(
            "post",
            nominees,
            submitter,
            data={"subject_type": "individual", "full_name": "Lê E", "subject_group": foreign_group.pk},
            language="en",
        )
        self.assertIn("subject_group", self.assertProblem(wrong, 400, code="validation")["errors"])
        collective = self.post(
            nominees,
            {
                "subject_type": "collective",
                "full_name": "Tổ dân phố 1",
                "collective_unit": w.residential_group.pk,
                "subject_group": group.pk,
            },
            submitter,
        )
        self.assertIn("subject_group", self.assertProblem(collective, 400)["errors"])
        self.assertEqual(len(self.get(nominees, submitter).json()), 1)
