"""The reports in the browser: the statistics page with its charts, a cell's nominees, and a yearly report
written, finalised by the head and read by the auditor."""

import re

import pytest
from playwright.sync_api import expect

from .actions import follow, press
from .conftest import manage

pytestmark = pytest.mark.e2e

CITY_CHAIR = "Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh"
CITY = "Ủy ban nhân dân Thành phố Đà Nẵng"


@pytest.fixture(scope="module")
def decided(server_env, live_server_url):
    manage(server_env, "shell", "-c", "from tests.e2e.report_data import build; build()")
    return live_server_url


def test_statistics_with_charts_and_a_yearly_report(decided, people, screenshots):
    auditor = people.open("dn.auditor")
    follow(auditor, "a.vf-page__menu-list-item:has-text('Thống kê')", r"/reports/statistics/")
    auditor.locator("#id_year").fill("2025")
    with auditor.expect_navigation():
        auditor.locator(".mf-filters button[type=submit]").click()
    row = auditor.locator("table.rp-counts").first.locator("tr", has_text=CITY_CHAIR)
    # proposed, awarded individuals, collectives, households, awarded
    expect(row.locator("td").nth(0)).to_have_text("31")
    expect(row.locator("td").nth(1)).to_have_text("7")
    expect(row.locator("td").nth(2)).to_have_text("24")
    expect(auditor.locator("figure.rp-chart svg")).to_have_count(3)
    auditor.screenshot(path=str(screenshots / "reports-statistics.png"), full_page=True)

    follow(auditor, f"table.rp-counts tr:has-text('{CITY_CHAIR}') td:nth-child(4) a", r"/reports/statistics/nominees/")
    expect(auditor.locator("tr.nominee-row")).to_have_count(24)

    head = people.open("dn.approver")
    follow(head, "a.vf-page__menu-list-item:has-text('Báo cáo năm')", r"/reports/yearly/")
    head.locator("#id_campaign").select_option(label="Toàn dân bảo vệ an ninh Tổ quốc")
    head.locator("#id_year").fill("2025")
    head.locator("#id_unit").select_option(label=CITY)
    with head.expect_navigation():
        head.get_by_role("button", name="Mở báo cáo").click()
    head.locator("textarea").first.fill("Tổ chức 120 buổi tuyên truyền tại khu dân cư.")
    head.locator("#id_lessons").fill("Phát huy vai trò nòng cốt của công an cơ sở.")
    press(head, "Lưu dự thảo")
    expect(head.locator(".mf-message")).to_contain_text("Đã lưu dự thảo")
    press(head, "Hoàn thành báo cáo")
    expect(head.locator(".mf-status")).to_have_text("Đã hoàn thành")

    follow(auditor, "a.vf-page__menu-list-item:has-text('Báo cáo năm')", r"/reports/yearly/")
    follow(auditor, f"tr.report-row a:has-text('{CITY}')", r"/reports/yearly/\d+/2025/\d+/")
    expect(auditor.locator(".rp-summary")).to_contain_text("31")
    expect(auditor.locator(".mf-page")).to_contain_text("Tổ chức 120 buổi tuyên truyền")
    expect(auditor).to_have_url(re.compile(r"/reports/yearly/"))
    auditor.screenshot(path=str(screenshots / "reports-yearly-report.png"), full_page=True)
