"""Each role's home page dashboard and the auditor's grouped timeline, at 1280 px and on a 375 px phone.

Read only: the pages are shown as the demo (and the tests before this one) left them. Screenshots go to the
screenshots folder as ``dashboard-<role>-<width>.png`` and ``timeline-<width>.png``.
"""

import re

import pytest
from playwright.sync_api import expect

from .actions import follow
from .conftest import PHONE_VIEWPORT, VIEWPORT

pytestmark = pytest.mark.e2e

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Who, and the panels their home page must show.
ROLES = [
    ("submitter", "tdp12.submitter", ["inbox", "returned", "drafts", "decisions"]),
    ("appraiser", "hcpolice.appraiser", ["inbox", "queue", "decisions"]),
    ("approver", "bca.approver", ["inbox", "queue", "decisions"]),
    ("auditor", "dn.auditor", ["verification", "exceptions", "decisions"]),
]


def test_each_role_has_a_dashboard_on_its_home_page(people, screenshots):
    for role, username, panels in ROLES:
        for viewport in (VIEWPORT, PHONE_VIEWPORT):
            page = people.open(username, viewport)
            expect(page.locator(".mf-dashboard")).to_be_visible()
            for key in panels:
                expect(page.locator(f".mf-panel--{key} .mf-panel__title a")).to_be_visible()
            expect(page.locator(".mf-page")).not_to_contain_text("Vai trò của bạn")
            assert page.evaluate(OVERFLOW) <= 0, f"{username} at {viewport['width']} px is wider than the screen"
            page.screenshot(path=screenshots / f"dashboard-{role}-{viewport['width']}.png", full_page=True)


def test_the_auditor_reads_a_dossier_timeline_grouped_by_act(people, screenshots):
    for viewport in (VIEWPORT, PHONE_VIEWPORT):
        auditor = people.open("dn.auditor", viewport)
        follow(auditor, ".mf-panel--exceptions .mf-panel__more a", r"/audit/")
        follow(auditor, "a.ledger-timeline", r"/audit/timeline/dossier/\d+/$")
        acts = auditor.locator("li.timeline-row.timeline-ledger")
        expect(acts.first).to_be_visible()
        expect(auditor.locator("li.timeline-row.timeline-change")).to_have_count(0)
        digest = auditor.locator("button.timeline-digest").first
        expect(digest).to_have_text(re.compile(r"^[0-9a-f]{8}…$"))
        assert auditor.evaluate(OVERFLOW) <= 0, f"the timeline at {viewport['width']} px is wider than the screen"
        auditor.screenshot(path=screenshots / f"timeline-{viewport['width']}.png", full_page=True)
