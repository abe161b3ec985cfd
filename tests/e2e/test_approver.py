"""The approver's screens in the browser: a filtered queue, the route and flow diagram, the consultation unit picker.

The residential group's submitter submits the demo campaign draft; the ward police appraiser finds it in the queue
by campaign, unit (picked from a search of their scope) and deadline, sees on the journey page where it stands on
its route and, one click further, in the whole flow, then asks the ward People's Committee for its opinion (hiệp y)
through the unit search; the ward's appraiser gets the consultation step and sees who was consulted.
"""

import re

import pytest
from playwright.sync_api import expect

from .actions import follow, open_task, press

pytestmark = pytest.mark.e2e

DOSSIER = "Đề nghị Bằng khen của Bộ trưởng Bộ Công an trong phong trào Toàn dân bảo vệ an ninh Tổ quốc"
CAMPAIGN = "Toàn dân bảo vệ an ninh Tổ quốc"
WARD_POLICE = "Công an Phường Hải Châu"
WARD_COMMITTEE = "Ủy ban nhân dân Phường Hải Châu"


def filter_steps(page, url_pattern: str):
    """Press the filters' button; Turbo follows the form to the new address."""
    page.locator(".mf-step-filters button[type=submit]").click()
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state()


def test_filtered_queue_flow_diagram_and_consultation_picker(people, screenshots):
    submitter = people.open("tdp12.submitter")
    submitter.goto("/dossiers/")
    follow(submitter, "a", r"/dossiers/\d+/$", within=submitter.locator("tr", has_text=DOSSIER))
    press(submitter, "Trình")
    expect(submitter).to_have_url(re.compile(r"/journeys/\d+/$"))

    # The queue, filtered by campaign, unit and deadline together; the badge says where the deadline stands.
    appraiser = people.open("hcpolice.appraiser")
    appraiser.goto("/steps/queue/")
    row = appraiser.locator("tr.task-row", has_text=DOSSIER)
    expect(row.locator(".mf-sla")).to_have_text(re.compile("Đúng hạn"))
    expect(row).to_contain_text(CAMPAIGN)
    appraiser.locator("[name=campaign]").select_option(label=CAMPAIGN)
    appraiser.locator("[name=deadline]").select_option(value="on_time")
    unit_search = appraiser.get_by_role("combobox", name=re.compile("Đơn vị"))
    unit_search.fill("Hải Châu")
    appraiser.get_by_role("option", name=re.compile(WARD_POLICE)).click()
    expect(appraiser.locator(".mf-picker__chip")).to_contain_text(WARD_POLICE)
    filter_steps(appraiser, r"campaign=\d+.*unit=\d+.*deadline=on_time")
    expect(appraiser.locator("tr.task-row")).to_have_count(1)
    expect(row).to_have_count(1)
    # The chosen unit is named again on the new page (the picker asks the search for the ids it holds).
    expect(appraiser.locator(".mf-picker__chip")).to_contain_text(WARD_POLICE)
    appraiser.screenshot(path=screenshots / "30-queue-filtered.png", full_page=True)

    # The journey: the dossier's own route first, top down, its current step named; the whole flow drawn from its
    # definition one click away, the current step highlighted.
    follow(appraiser, "a[href*='/journeys/']", r"/journeys/\d+/$", within=row)
    expect(appraiser.locator(".mf-route-step--current")).to_contain_text("thẩm định")
    chart = appraiser.locator(".mf-diagram__chart")
    expect(chart).not_to_be_visible()
    appraiser.locator("details.mf-diagram-full > summary").click()
    expect(chart).to_be_visible()
    expect(chart.locator("g#commune_appraise")).to_have_class("new")
    expect(chart.locator("g#submit")).to_have_class("done")
    expect(chart).to_have_attribute("aria-label", re.compile(r"Sơ đồ quy trình: hồ sơ đang ở bước .*thẩm định"))
    expect(appraiser.locator(".mf-diagram__current")).to_contain_text("thẩm định")
    appraiser.locator(".mf-diagram").screenshot(path=screenshots / "31-journey-diagram.png")

    # Nothing is overdue.
    appraiser.goto("/steps/queue/")
    appraiser.locator("[name=deadline]").select_option(value="overdue")
    filter_steps(appraiser, r"deadline=overdue")
    expect(appraiser.locator("tr.task-row")).to_have_count(0)
    expect(appraiser.locator(".mf-page")).to_contain_text("Không có bước nào khớp với các bộ lọc này.")

    # The appraiser opens the step from its notification (which marks it read), and asks the ward People's
    # Committee for its opinion (hiệp y), found through the unit search with the keyboard only.
    appraiser.goto("/notifications/")
    notice = appraiser.locator("li.mf-notification--unread", has_text=DOSSIER)
    with appraiser.expect_navigation(url=re.compile(r"/commune_appraise/")):
        notice.locator("a").click()
    appraiser.locator("[name=opinion]").fill("Đề nghị Ủy ban nhân dân phường cho ý kiến hiệp y.")
    consult = appraiser.locator("#id_consult_units")
    consult.fill("Ủy ban")
    expect(appraiser.get_by_role("option", name=re.compile(WARD_COMMITTEE))).to_be_visible()
    consult.press("ArrowDown")
    consult.press("Enter")
    expect(appraiser.locator(".mf-picker__chip")).to_contain_text(WARD_COMMITTEE)
    appraiser.screenshot(path=screenshots / "32-consultation-picker.png", full_page=True)
    press(appraiser, "Xin ý kiến")

    ward = people.open("hc.appraiser")
    open_task(ward, DOSSIER, "commune_consultation")
    expect(ward.locator(".mf-steps")).to_contain_text(f"Đã xin ý kiến hiệp y của: {WARD_COMMITTEE}")
    # Leave the people of the other browser tests with nothing unread.
    for page in (appraiser, ward):
        page.goto("/notifications/")
        page.locator("form[action$='/read-all/'] button").click()
        expect(page.locator("li.mf-notification--unread")).to_have_count(0)
