"""A Minister of Public Security's Bằng khen, from the residential group's draft to the Ministry's decision.

Every person acts in their own browser context through the pages a person would use: the submitter of Tổ dân phố
12 drafts the dossier (XLSX nominee list, PDF documents) and submits it; ward police, city police and the Ministry
appraise, vote and sign; the city police appraiser returns it once for supplement. The ward appraiser and the
Minister have their page open when their step arrives and see the notification toast. The decision number ends
up on the submitter's dossier page.
"""

import io
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from .actions import (
    PDF_BYTES,
    XLSX,
    assert_fits,
    attach,
    follow,
    open_task,
    press,
    submit_form,
    upload,
    wait_for_live_socket,
)
from .conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.e2e

TITLE = "Đề nghị Bằng khen của Bộ trưởng Bộ Công an cho tổ bảo vệ an ninh năm 2026"
AWARD = "Bằng khen của Bộ trưởng Bộ Công an"
NOMINEES = [
    ("Cá nhân", "Phan Văn Tâm", "048086003456", "Nam", "Tổ trưởng tổ bảo vệ an ninh, trật tự"),
    ("Cá nhân", "Đỗ Thị Mai", "048191007890", "Nữ", "Tổ viên tổ bảo vệ an ninh, trật tự"),
]
RETURN_REQUEST = "Bổ sung báo cáo thành tích có xác nhận của Công an phường."


def pdf_from_link(page, link) -> bytes:
    """Follow a visible PDF link with the page's own session (headless Chromium downloads PDFs, it shows none)."""
    response = page.request.get(link.get_attribute("href"))
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    return response.body()


def render_pdf(content: bytes, stem: Path) -> None:
    """Render the PDF's first two pages to ``<stem>-1.png``… with poppler's pdftoppm."""
    source = stem.with_suffix(".pdf")
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "2", str(source), str(stem)], check=True)
    source.unlink()
    assert list(stem.parent.glob(f"{stem.name}-*.png"))


def nominee_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Loại đối tượng", "Họ và tên", "Số CCCD", "Giới tính", "Chức vụ"])
    for row in NOMINEES:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def appraise(page, step: str, *, return_request: str = "", screenshot=None):
    open_task(page, TITLE, step)
    assert_fits(page)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.locator("[name=opinion]").fill("Hồ sơ đủ điều kiện, đề nghị trình Hội đồng.")
    if return_request:
        page.locator("[name=return_reason]").fill(return_request)
        press(page, "Trả lại bổ sung")
    else:
        press(page, "Chuyển Hội đồng")


def vote(page, step: str, *, members: int = 9, screenshot=None):
    open_task(page, TITLE, step)
    assert_fits(page)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.locator("[name=members]").fill(str(members))
    page.locator("[name=minutes]").set_input_files(upload("bien-ban-hop.pdf", "application/pdf", PDF_BYTES))
    for prefix, value in (("present_", members), ("for_", members), ("against_", 0)):
        fields = page.locator(f"input[name^={prefix}]")
        for index in range(fields.count()):
            fields.nth(index).fill(str(value))
    submit_form(page)


def sign(page, step: str, outcome: str, *, screenshot=None):
    open_task(page, TITLE, step)
    assert_fits(page)
    # The summary comes before the form; the history is folded.
    expect(page.locator(".mf-sign-summary")).to_contain_text(TITLE)
    expect(page.locator("details.mf-folded").first).not_to_have_attribute("open", "")
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.locator(f"[name=outcome][value={outcome}]").check()
    submit_form(page)


def expect_toast(page, screenshot=None):
    """A toast naming the new step appears in the open page, and the unread badge counts it."""
    toast = page.locator("[data-mf-notification-toasts] .mf-notification-toast")
    expect(toast).to_have_count(1)
    expect(toast.locator("a")).to_contain_text(TITLE)
    expect(page.locator("[data-mf-notification-count]").first).to_have_text("1")
    if screenshot:
        page.screenshot(path=screenshot)


def test_ministry_dossier_from_draft_to_decision(people, screenshots):
    submitter = people.open("tdp12.submitter")
    submitter.screenshot(path=screenshots / "01-home.png", full_page=True)

    # Draft the dossier.
    submitter.goto("/dossiers/")
    follow(submitter, "a[href$='/dossiers/new/']", r"/dossiers/new/$")
    submitter.locator("[name=originating_unit]").select_option(label="Tổ dân phố 12")
    submitter.locator("[name=title]").fill(TITLE)
    submitter.locator("[name=award_type]").select_option(label=AWARD)
    submitter.locator("[name=letter_number]").fill("15/TTr-TDP12")
    submitter.screenshot(path=screenshots / "02-dossier-form.png", full_page=True)
    submit_form(submitter)
    expect(submitter.locator("h1")).to_have_text(TITLE)
    dossier_url = submitter.url

    # The nominee list from a spreadsheet.
    follow(submitter, "a[href$='/nominees/import/']", r"/nominees/import/$")
    submitter.locator("[name=file]").set_input_files(upload("danh-sach.xlsx", XLSX, nominee_workbook()))
    submitter.screenshot(path=screenshots / "03-nominee-import.png", full_page=True)
    submit_form(submitter)
    rows = submitter.locator("tr.nominee-row")
    expect(rows).to_have_count(len(NOMINEES))
    for _kind, name, *_rest in NOMINEES:
        expect(rows.filter(has_text=name)).to_have_count(1)

    # The documents the award requires, as PDFs.
    attach(submitter, "Tờ trình kèm danh sách đề nghị khen thưởng", "to-trinh-15.pdf")
    attach(submitter, "Biên bản họp Hội đồng Thi đua - Khen thưởng", "bien-ban-tdp12.pdf")
    attach(submitter, "Báo cáo thành tích", "bao-cao-thanh-tich.pdf")
    submitter.screenshot(path=screenshots / "04-dossier-draft.png", full_page=True)

    # Eligibility and route, then submission while the ward police appraiser is looking at their queue.
    follow(submitter, "a[href$='/eligibility/']", r"/eligibility/$")
    expect(submitter.locator(".mf-page")).to_contain_text("Công an Phường Hải Châu")
    submitter.screenshot(path=screenshots / "05-eligibility.png", full_page=True)
    ward = people.open("hcpolice.appraiser")
    ward.goto("/steps/queue/")
    wait_for_live_socket(ward)
    expect(ward.locator("tr.task-row", has_text=TITLE)).to_have_count(0)
    # Back on the dossier page, its own "Trình" button sends this dossier (after a confirmation).
    follow(submitter, ".mf-page a:has-text('Quay lại hồ sơ')", r"/dossiers/\d+/$")
    press(submitter, "Trình")
    assert submitter.dialogs[-1].startswith("Trình hồ sơ này?")
    expect(submitter).to_have_url(re.compile(r"/journeys/\d+/$"))
    journey_url = submitter.url
    submitter.screenshot(path=screenshots / "06-journey-submitted.png", full_page=True)

    expect_toast(ward, screenshots / "07-toast.png")
    # The toast leads to the new step (through the notification, which it marks read).
    follow(ward, "[data-mf-notification-toasts] a", r"/commune_appraise/")
    expect(ward.locator(".mf-page")).to_contain_text(TITLE)

    # Ward police: the whole stage, forwarded to the city.
    appraise(ward, "commune_appraise")
    vote(people.open("hcpolice.secretary"), "commune_vote")
    sign(people.open("hcpolice.approver"), "commune_sign", "forward", screenshot=screenshots / "08-sign-task.png")

    # City police: the appraiser asks for a supplement.
    city = people.open("dnpolice.appraiser", PHONE_VIEWPORT)
    appraise(
        city, "province_appraise", return_request=RETURN_REQUEST, screenshot=screenshots / "phone-20-appraise-task.png"
    )
    assert city.dialogs[-1] == "Trả lại hồ sơ cho đơn vị trình với yêu cầu bổ sung này?"

    # The submitter sees exactly what was asked, revises the dossier and sends it back.
    submitter.goto(dossier_url)
    submitter.screenshot(path=screenshots / "09-dossier-returned.png", full_page=True)
    expect(submitter.locator(".mf-notice--returned")).to_contain_text(RETURN_REQUEST)
    expect(submitter.locator(".mf-notice--returned")).to_contain_text("Công an Thành phố Đà Nẵng")
    attach(submitter, "Báo cáo thành tích", "bao-cao-co-xac-nhan.pdf")
    # "Gửi lại" on the dossier page leads straight to the supplement step.
    follow(submitter, ".mf-page a:has-text('Gửi lại')", r"/supplement/")
    expect(submitter.locator(".mf-page")).to_contain_text(RETURN_REQUEST)
    submitter.screenshot(path=screenshots / "10-supplement-task.png", full_page=True)
    submitter.locator("[name=note]").fill("Đã bổ sung báo cáo thành tích có xác nhận của Công an phường.")
    submit_form(submitter)

    # City police again, then the Ministry, which decides; the Minister has the queue open when the step arrives.
    appraise(city, "province_appraise")
    vote(people.open("dnpolice.secretary"), "province_vote")
    sign(people.open("dnpolice.approver"), "province_sign", "forward")
    appraise(people.open("bca.appraiser"), "ministry_appraise")
    minister = people.open("bca.approver", PHONE_VIEWPORT)
    minister.goto("/steps/queue/")
    wait_for_live_socket(minister)
    vote(people.open("bca.secretary", PHONE_VIEWPORT), "ministry_vote", screenshot=screenshots / "phone-21-vote.png")
    expect_toast(minister)
    sign(minister, "ministry_sign", "decide", screenshot=screenshots / "phone-22-sign-summary.png")

    # The submitter sees the numbered decision: the run's first of the Ministry, with the Ministry's symbol.
    submitter.goto(dossier_url)
    expect(submitter.locator(".mf-facts")).to_contain_text("01/QĐ-BCA")
    expect(submitter.locator("tr.nominee-row", has_text="Được khen thưởng")).to_have_count(len(NOMINEES))
    submitter.screenshot(path=screenshots / "11-dossier-decided.png", full_page=True)

    # The decision and a certificate, opened from the links on the dossier page, rendered to PNG.
    decision_link = submitter.get_by_role("link", name="Quyết định 01/QĐ-BCA (PDF)")
    expect(decision_link).to_be_visible()
    decision_pdf = pdf_from_link(submitter, decision_link)
    assert b"%PDF" in decision_pdf[:8]
    render_pdf(decision_pdf, screenshots / "13-decision")
    certificate_link = submitter.locator("tr.nominee-row", has_text=NOMINEES[0][1]).get_by_role(
        "link", name="Bằng khen, giấy khen (PDF)"
    )
    render_pdf(pdf_from_link(submitter, certificate_link), screenshots / "14-certificate")
    submitter.goto(journey_url)
    submitter.screenshot(path=screenshots / "12-journey-decided.png", full_page=True)
