"""The stage task pages show what earlier steps decided; the journey page draws the flow with the dossier's place."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from nominations import services as nomination_services
from nominations.models import Attachment, DocumentKind
from org_hierarchy.models import Role
from workflows.flows import NominationFlow
from workflows.models import StageOutcome

from .base import PDF_BYTES, FlowTestCase

# At most: session, user, memberships; the scope check, the task, separation of duties, the dossier; the earlier
# steps and the nominees' names; the form's nominees; viewflow's permission checks (guardian: 7) and menu counts
# (2); unread notifications; the dossier's stage unit, route, nominees and attachments; the deadline notices
TASK_PAGE_QUERIES = 25


class FileFingerprintTests(FlowTestCase):
    def test_a_files_fingerprint_is_shortened_and_copied_whole_on_the_step_page(self):
        dossier = self.make_dossier(self.commune_award)
        nomination_services.attachment_add(
            dossier=dossier,
            actor=self.submitter,
            kind=DocumentKind.objects.get(code="achievement_report"),
            file=SimpleUploadedFile("bao-cao.pdf", PDF_BYTES, "application/pdf"),
        )
        sha256 = Attachment.objects.get(dossier=dossier).sha256
        process = self.submit(dossier)
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        page = self.client.get(self.execute_url(self.open_task(process)))
        self.assertContains(page, f'data-mf-copy="{sha256}"')
        self.assertContains(page, f">{sha256[:8]}…<")
        self.assertNotContains(page, sha256[:17] + "<")


class StepHistoryTests(FlowTestCase):
    """A province dossier: consulted at the ward, one nominee below the council threshold, forwarded, returned."""

    def setUp(self):
        w = self.world
        self.dossier = self.make_dossier(self.province_award)
        self.process = self.submit(self.dossier)
        self.first, self.second = self.nominee_ids(self.dossier)
        self.appraise(self.process, w.haichau_pc, consult=[w.haichau_police])
        self.act(
            self.officer(w.haichau_police, Role.APPRAISER),
            self.open_task(self.process),
            {"opinion": "Không có vi phạm pháp luật.", "agrees": "on"},
        )
        self.vote(self.process, w.haichau_pc, votes={self.second: 2})
        self.sign(self.process, w.haichau_pc, StageOutcome.FORWARD)

    def page(self, user, language="en"):
        type(user).objects.filter(pk=user.pk).update(language=language)
        self.login(user)
        response = self.client.get(self.execute_url(self.open_task(self.process)))
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_next_stage_sees_the_opinions_votes_and_outcomes_of_the_earlier_ones(self):
        page = self.page(self.officer(self.world.danang_pc, Role.APPRAISER))
        self.assertContains(page, "Consultation requested from: Công an Phường Hải Châu")
        self.assertContains(page, "Không có vi phạm pháp luật.")
        self.assertContains(page, '<span class="step-consultation">Agrees with the proposal</span>', html=False)
        self.assertContains(page, "Council vote, 9 members")
        self.assertContains(page, "<tr><td>Nguyễn Văn A</td><td>9</td><td>9</td><td>0</td><td>Passed</td></tr>")
        self.assertContains(page, "<tr><td>Nguyễn Văn B</td><td>9</td><td>2</td><td>7</td><td>Not passed</td></tr>")
        self.assertContains(page, '<span class="step-outcome">Forwarded to the next level</span>')
        self.assertContains(page, "Submission letter 01/TTr-UBND")
        self.assertContains(page, "Nguyễn Văn A: recommended")
        # the version acted on, the attachments' place and the deadline with its badge
        self.dossier.refresh_from_db()
        self.assertContains(page, f'data-mf-copy="{self.dossier.version_digest}"')
        # shortened on the page, whole in its title and what the button copies
        self.assertContains(page, f">{self.dossier.version_digest[:8]}…<")
        self.assertNotContains(page, f">{self.dossier.version_digest}<")
        self.assertContains(page, 'class="mf-sla mf-sla--on_time"')
        vietnamese = self.page(self.officer(self.world.danang_pc, Role.APPRAISER), "vi")
        self.assertContains(vietnamese, "Đã xin ý kiến hiệp y của: Công an Phường Hải Châu")
        self.assertContains(vietnamese, "Thống nhất với đề nghị")
        self.assertContains(vietnamese, "Hội đồng bỏ phiếu, 9 thành viên")
        self.assertContains(vietnamese, "Không đạt")
        self.assertContains(vietnamese, "Đã trình lên cấp trên")

    def test_the_submitter_sees_the_note_of_the_return_and_who_left_a_nominee_out(self):
        self.appraise(self.process, self.world.danang_pc)
        self.vote(self.process, self.world.danang_pc)
        self.sign(
            self.process,
            self.world.danang_pc,
            StageOutcome.RETURN,
            note="Bổ sung báo cáo thành tích.",
            drop={self.first: "Chưa đủ thời gian công tác."},
        )
        page = self.page(self.submitter)
        self.assertContains(page, '<span class="step-outcome">Returned for supplement</span>')
        self.assertContains(page, "Bổ sung báo cáo thành tích.")
        self.assertContains(page, "Nguyễn Văn A left out: Chưa đủ thời gian công tác.")


class TaskPageQueryCountTests(FlowTestCase):
    def test_a_step_page_costs_the_same_with_twice_the_nominees_and_the_earlier_steps(self):
        costs = []
        for nominees in (3, 6):
            process = self.submit(self.make_dossier(self.province_award, nominees=nominees))
            self.appraise(process, self.world.haichau_pc)
            self.vote(process, self.world.haichau_pc)
            if nominees == 6:  # twice the earlier steps: a return and a new round at the ward
                self.sign(process, self.world.haichau_pc, StageOutcome.RETURN, note="Bổ sung.")
                self.supplement(process)
                self.appraise(process, self.world.haichau_pc)
                self.vote(process, self.world.haichau_pc)
            self.login(self.officer(self.world.haichau_pc, Role.APPROVER))
            url = self.execute_url(self.open_task(process))
            with CaptureQueriesContext(connection) as queries:
                page = self.client.get(url)
            costs.append(len(queries))
            # The sign page lists the nominees in its summary and again in the folded dossier.
            self.assertContains(page, 'class="nominee-row"', count=2 * nominees)
            self.assertContains(page, 'class="step-row"', count=3 if nominees == 3 else 7)
        self.assertEqual(costs[0], costs[1])
        self.assertLessEqual(costs[0], TASK_PAGE_QUERIES)


class DiagramTests(FlowTestCase):
    def journey(self, process, user, language="en"):
        type(user).objects.filter(pk=user.pk).update(language=language)
        self.login(user)
        response = self.client.get(self.journey_url(process))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_journey_draws_the_flow_with_the_current_step_and_the_path_travelled(self):
        process = self.submit(self.make_dossier(self.province_award))
        self.appraise(process, self.world.haichau_pc)
        html = self.journey(process, self.submitter)
        # viewflow's chart of the flow definition, the open step marked as new, the steps done as done
        self.assertRegex(html, r'<g id="commune_vote" transform="[^"]+" class="new">')
        self.assertRegex(html, r'<g id="commune_appraise" transform="[^"]+" class="done">')
        self.assertRegex(html, r'<g id="province_sign" transform="[^"]+">')
        # the arrows travelled are marked by a class (the Content-Security-Policy refuses <style> and style="")
        travelled = re.findall(r'<path id="(\w+)" class="mf-flow-edge mf-flow-edge--travelled"', html)
        self.assertIn("commune_appraise__commune_appraised", travelled)
        self.assertIn("commune_council__commune_vote", travelled)
        self.assertFalse([edge for edge in travelled if edge.startswith("commune_vote__")])
        self.assertRegex(html, r'<path id="commune_vote__\w+" class="mf-flow-edge"')
        self.assertNotIn("<style", html)
        self.assertNotIn("style=", html)
        with translation.override("en"):
            title = str(NominationFlow.commune_vote.task_title)
        label = f"Flow diagram: the dossier is now at {title}."
        self.assertIn(f'role="img" aria-label="{label}"', html)
        self.assertIn(f'<p class="mf-diagram__current">{label}</p>', html)
        with translation.override("vi"):
            title = str(NominationFlow.commune_vote.task_title)
        self.assertIn(f"Sơ đồ quy trình: hồ sơ đang ở bước {title}.", self.journey(process, self.submitter, "vi"))

    def test_the_dossiers_own_route_comes_first_and_the_whole_flow_is_one_click_away(self):
        process = self.submit(self.make_dossier(self.province_award))
        self.appraise(process, self.world.haichau_pc)
        html = self.journey(process, self.submitter)
        route = html.index('class="mf-route-steps"')
        folded = html.index('<details class="mf-folded mf-diagram-full">')
        self.assertLess(route, folded)
        self.assertLess(folded, html.index('class="mf-diagram__chart"'))
        flow = NominationFlow
        nodes = [flow.submit, flow.commune_appraise, flow.commune_vote, flow.commune_sign]
        nodes += [flow.province_appraise, flow.province_vote, flow.province_sign, flow.decided]
        with translation.override("en"):
            titles = [escape(str(node.task_title)) for node in nodes]
        steps = re.findall(r'<li class="mf-route-step mf-route-step--(\w+)">([^<]+?) · ', html[route:folded])
        self.assertEqual([title for _state, title in steps], titles)
        self.assertEqual([state for state, _title in steps], ["done", "done", "current"] + ["waiting"] * 5)
        # The stage units of the route, by name; the ministry is not on this dossier's route.
        self.assertIn(self.world.haichau_pc.name, html[route:folded])
        self.assertIn(self.world.danang_pc.name, html[route:folded])
        with translation.override("en"):
            self.assertNotIn(escape(str(flow.ministry_appraise.task_title)), html[route:folded])

    def test_the_steps_are_named_as_the_flow_names_them_in_each_language(self):
        process = self.submit(self.make_dossier(self.province_award))
        for language in ("vi", "en"):
            html = self.journey(process, self.submitter, language)
            node = re.search(r'<g id="commune_appraise"[^>]*>(.*?)</g>', html, re.S).group(1)
            lines = re.findall(r"<text [^>]*>([^<]*)</text>", node)
            with translation.override(language):
                title = str(NominationFlow.commune_appraise.task_title)
            # viewflow wraps the name over lines; no word of it is capitalised on the way ("Tiếp Nhận Và…")
            self.assertEqual(" ".join(lines).split(), title.split())

    def test_a_decided_dossier_has_no_current_step(self):
        process = self.submit(self.make_dossier(self.commune_award))
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        html = self.journey(process, self.submitter)
        self.assertIn("Flow diagram: the dossier has finished its journey.", html)
        self.assertRegex(html, r'<g id="decided" transform="[^"]+" class="done">')
        self.assertNotIn('class="new"', html)

    def test_the_diagram_is_scoped_like_the_journey(self):
        process = self.submit(self.make_dossier(self.commune_award))
        self.login(self.officer(self.world.danang_police, Role.APPRAISER))
        self.assertEqual(self.client.get(self.journey_url(process)).status_code, 404)
        self.assertEqual(self.client.get(f"/nomination/{process.pk}/chart/").status_code, 404)
        self.assertEqual(self.client.get(reverse("workflows:process", args=[process.pk + 1000])).status_code, 404)
