"""The dossier timeline: ledger entries, field diffs and workflow steps of a real ministry-level lifecycle."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.events import AuditEvent
from audit.models import LedgerEntry
from audit.timeline import Kind
from nominations import services as nomination_services
from org_hierarchy.models import Role
from tests.workflows.base import FlowTestCase
from workflows.models import StageOutcome

# The auditor's scope and seats, the dossier, then ledger, dossier/nominee/file/decision history, tasks and
# their units, and the names of what changed references point to (units, the decision, people: one query per
# kind of row): the same whatever the length of the history.
TIMELINE_QUERIES = 15


class DossierTimelineTests(FlowTestCase):
    def setUp(self):
        self.route = [self.world.haichau_police, self.world.danang_police, self.world.mps]
        self.dossier = self.make_dossier(self.ministry_award)

    def run_stage(self, process, unit, outcome, **kwargs):
        self.appraise(process, unit)
        self.vote(process, unit)
        self.sign(process, unit, outcome, **kwargs)

    def as_auditor(self, unit):
        user = self.act_as(Role.AUDITOR, unit)
        self.client.logged_in_as = user.pk
        return user

    def timeline(self, dossier=None, *, expect=200):
        url = reverse("audit:timeline", args=["dossier", (dossier or self.dossier).pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, expect)
        return response

    def test_a_lifecycle_with_a_return_lists_every_transition_once_in_order_with_diffs_and_digests(self):
        process = self.submit(self.dossier)
        for unit in self.route[:-1]:
            self.run_stage(process, unit, StageOutcome.FORWARD)
        self.run_stage(process, self.world.mps, StageOutcome.RETURN, note="Thiếu biên bản họp xét.")
        self.dossier.refresh_from_db()
        first_version = self.dossier.version
        nominee = self.dossier.nominees.order_by("list_position", "pk").first()
        nomination_services.nominee_update(nominee=nominee, actor=self.submitter, position="Tổ trưởng tổ dân phố")
        self.supplement(process)
        self.run_stage(process, self.world.mps, StageOutcome.DECIDE)
        self.dossier.refresh_from_db()

        self.as_auditor(self.world.mps)
        response = self.timeline()
        entries = response.context["entries"]

        dossier_type = ContentType.objects.get_for_model(self.dossier)
        ledger = list(
            LedgerEntry.objects.filter(subject_type=dossier_type, subject_id=str(self.dossier.pk)).order_by("sequence")
        )
        shown = [entry.sequence for entry in entries if entry.kind == Kind.LEDGER]
        self.assertEqual(shown, [entry.sequence for entry in ledger])
        self.assertEqual(
            [entry.at for entry in entries], sorted(entry.at for entry in entries), "entries out of time order"
        )
        events = [entry.event for entry in ledger]
        for event in ("dossier.submitted", "dossier.returned", "dossier.resubmitted", "decision.issued"):
            self.assertEqual(events.count(event), 1, event)
        self.assertEqual(events.count("stage.signed"), 4)

        # The supplement's field change is there, between the return and the resubmission.
        position = [
            entry
            for entry in entries
            if entry.kind == Kind.CHANGE and any(change.new == "Tổ trưởng tổ dân phố" for change in entry.changes)
        ]
        self.assertEqual(len(position), 1)
        returned = next(e for e in entries if e.kind == Kind.LEDGER and e.title == "Trả lại hồ sơ để bổ sung")
        resubmitted = next(e for e in entries if e.kind == Kind.LEDGER and e.sequence == _seq(ledger, "resubmitted"))
        self.assertLess(returned.at, position[0].at)
        self.assertLess(position[0].at, resubmitted.at)
        self.assertContains(response, "Tổ trưởng tổ dân phố")
        dossier_versions = [
            change for e in entries if e.kind == Kind.CHANGE for change in e.changes if change.field == "version"
        ]
        self.assertIn((first_version, first_version + 1), [(c.old, c.new) for c in dossier_versions])

        # Each signature shows the digest and version it was made on: the first three the returned version,
        # the deciding one the supplemented version.
        signed = [e for e in entries if e.kind == Kind.LEDGER and e.sequence in _seqs(ledger, "stage.signed")]
        self.assertEqual([e.version for e in signed], [first_version] * 3 + [first_version + 1])
        self.assertEqual(signed[-1].version_digest, self.dossier.version_digest)
        self.assertNotEqual(signed[0].version_digest, signed[-1].version_digest)
        self.assertContains(response, f'title="{self.dossier.version_digest}"')

        # The workflow steps: who did which node, and how it ended.
        steps = [e for e in entries if e.kind == Kind.STEP]
        mps_signs = [e for e in steps if e.unit == self.world.mps.name and e.actor == "Mps Approver"]
        self.assertEqual(len(mps_signs), 2)
        self.assertEqual(len([e for e in steps if e.actor == self.submitter.get_full_name()]), 2)

    def test_each_act_shows_once_with_the_field_changes_and_the_step_it_made(self):
        process = self.submit(self.dossier)
        self.run_stage(process, self.route[0], StageOutcome.FORWARD)
        self.as_auditor(self.world.mps)
        response = self.timeline()
        entries, acts = response.context["entries"], response.context["acts"]
        ledger = [entry for entry in entries if entry.kind == Kind.LEDGER]
        self.assertEqual([act.entry for act in acts if act.entry.kind == Kind.LEDGER], ledger)
        # Alone on its line: the step now open at the next level, which no act has finished yet.
        self.assertEqual(
            [act.entry.title for act in acts if act.entry.kind != Kind.LEDGER], ["Cấp tỉnh: tiếp nhận và thẩm định"]
        )
        self.assertEqual(response.content.decode().count('class="timeline-row '), len(ledger) + 1)
        self.assertLessEqual(len(acts) * 2, len(entries))

        submitted = next(act for act in acts if act.entry.title == AuditEvent.DOSSIER_SUBMITTED.label)
        self.assertIn("status", [change.field for effect in submitted.changes for change in effect.changes])
        signed = next(act for act in acts if act.entry.title == AuditEvent.STAGE_SIGNED.label)
        self.assertEqual(
            [step.actor for step in signed.steps], [self.officer(self.route[0], Role.APPROVER).get_full_name()]
        )
        # The digest is shortened; the whole one is its title and what the button copies.
        digest = signed.entry.version_digest
        self.assertContains(response, f'data-mf-copy="{digest}"')
        self.assertContains(response, f">{digest[:8]}…<")
        self.assertNotContains(response, f">{digest}<")

    def test_the_query_count_does_not_grow_with_the_history(self):
        straight = self.make_dossier(self.ministry_award, title="Hồ sơ đi thẳng")
        process = self.submit(straight)
        for unit, outcome in zip(self.route, [StageOutcome.FORWARD] * 2 + [StageOutcome.DECIDE], strict=True):
            self.run_stage(process, unit, outcome)
        process = self.submit(self.dossier)
        for unit in self.route[:-1]:
            self.run_stage(process, unit, StageOutcome.FORWARD)
        self.run_stage(process, self.world.mps, StageOutcome.RETURN, note="Thiếu biên bản họp xét.")
        self.supplement(process)
        self.run_stage(process, self.world.mps, StageOutcome.DECIDE)
        self.as_auditor(self.world.mps)
        with self.assertNumQueries(TIMELINE_QUERIES):
            short = self.timeline(straight).context["entries"]
        with self.assertNumQueries(TIMELINE_QUERIES):
            long = self.timeline().context["entries"]
        self.assertGreater(len(long), len(short) + 5)

    def test_changed_references_are_shown_by_name(self):
        process = self.submit(self.dossier)
        self.run_stage(process, self.route[0], StageOutcome.FORWARD)
        self.as_auditor(self.world.mps)
        entries = self.timeline().context["entries"]
        moves = [
            (change.old, change.new)
            for entry in entries
            for change in entry.changes
            if change.field == "current_stage_unit"
        ]
        self.assertIn((self.world.haichau_police.name, self.world.danang_police.name), moves)

    def test_the_scope_decides_who_sees_it(self):
        process = self.submit(self.dossier)
        self.run_stage(process, self.route[0], StageOutcome.FORWARD)
        self.as_auditor(self.world.badinh_police)
        self.timeline(expect=404)
        self.as_auditor(self.world.hanoi_pc)
        self.timeline(expect=404)
        response = self.client.get(reverse("audit:timeline", args=["nothing", self.dossier.pk]))
        self.assertEqual(response.status_code, 404)

        self.as_auditor(self.world.danang_police)
        self.assertContains(self.timeline(), 'class="timeline-row timeline-ledger"')
        # The dossier's own submitter reads it too, without the auditor's menu.
        self.login(self.submitter)
        self.client.force_login(self.submitter)
        response = self.timeline()
        self.assertContains(response, "Gửi hồ sơ")
        self.assertNotContains(response, reverse("audit:verify"))

    def test_ledger_rows_and_the_dossier_page_link_to_the_timeline(self):
        self.submit(self.dossier)
        self.as_auditor(self.world.mps)
        url = reverse("audit:timeline", args=["dossier", self.dossier.pk])
        self.assertContains(self.client.get(reverse("audit:ledger")), f'class="ledger-timeline" href="{url}"')
        detail = self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertContains(detail, f'href="{url}">Dòng thời gian</a>', html=False)


def _seqs(ledger, event):
    return [entry.sequence for entry in ledger if entry.event == event]


def _seq(ledger, suffix):
    return next(entry.sequence for entry in ledger if entry.event.endswith(suffix))
