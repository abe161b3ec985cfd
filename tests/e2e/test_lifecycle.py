"""A Minister of Public Security's Bằng khen, from the residential group's draft to the Ministry's decision.

Every person acts in their own browser context through the pages a person would use: the submitter of Tổ dân phố
12 drafts the dossier (XLSX nominee list, PDF report), submits it; ward police, city police and the Ministry
appraise, vote and sign; the city police appraiser returns it once for supplement. The decision number ends up on
the submitter's dossier page.
"""

import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TITLE = "Đề nghị Bằng khen của Bộ trưởng Bộ Công an cho tổ bảo vệ an ninh năm 2026"
AWARD = "Bằng khen của Bộ trưởng Bộ Công an"
NOMINEES = [
    ("Cá nhân", "Phan Văn Tâm", "048086003456", "Nam", "Tổ trưởng tổ bảo vệ an ninh, trật tự"),
    ("Cá nhân", "Đỗ Thị Mai", "048191007890", "Nữ", "Tổ viên tổ bảo vệ an ninh, trật tự"),
]
RETURN_REQUEST = "Bổ sung báo cáo thành tích có xác nhận của Công an phường."
# A minimal well-formed PDF: the upload checks the file's type from its content.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def nominee_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Loại đối tượng", "Họ và tên", "Số CCCD", "Giới tính", "Chức vụ"])
    for row in NOMINEES:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, mime: str, content: bytes) -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def attach(page, kind: str, filename: str):
    """From the dossier page, attach a PDF of the given document kind and come back to the dossier."""
    page.locator("a[href$='/files/new/']").click()
    page.locator("[name=kind]").select_option(label=kind)
    page.locator("[name=file]").set_input_files(upload(filename, "application/pdf", PDF_BYTES))
    submit_form(page)
    expect(page.locator("li.attachment-row", has_text=filename)).to_have_count(1)


def submit_form(page):
    """Press the main form's submit button (the page's own form, not the language switch or sign-out)."""
    page.locator(".mf-page form button[type=submit]").click()
    page.wait_for_load_state()


def open_task(page, step: str):
    """From the queue of the user's units, open ``step`` (the step's URL name, e.g. commune_appraise) of the dossier."""
    page.goto("/steps/queue/")
    row = page.locator("tr.task-row", has_text=TITLE)
    row.locator(f"a[href*='/{step}/']").click()
    page.wait_for_load_state()
    expect(page.locator(".mf-page form button[type=submit]")).to_be_visible()


def appraise(page, step: str, *, return_request: str = ""):
    open_task(page, step)
    page.locator("[name=opinion]").fill("Hồ sơ đủ điều kiện, đề nghị trình Hội đồng.")
    if return_request:
        page.locator("[name=return_reason]").fill(return_request)
    submit_form(page)


def vote(page, step: str, *, members: int = 9):
    open_task(page, step)
    page.locator("[name=members]").fill(str(members))
    page.locator("[name=minutes]").set_input_files(upload("bien-ban-hop.pdf", "application/pdf", PDF_BYTES))
    for prefix, value in (("present_", members), ("for_", members), ("against_", 0)):
        fields = page.locator(f"input[name^={prefix}]")
        for index in range(fields.count()):
            fields.nth(index).fill(str(value))
    submit_form(page)


def sign(page, step: str, outcome: str):
    open_task(page, step)
    page.locator(f"[name=outcome][value={outcome}]").check()
    submit_form(page)


def test_ministry_dossier_from_draft_to_decision(people, screenshots):
    submitter = people.open("tdp12.submitter")
    submitter.screenshot(path=screenshots / "01-home.png", full_page=True)

    # Draft the dossier.
    submitter.goto("/dossiers/")
    submitter.locator("a[href$='/dossiers/new/']").first.click()
    submitter.locator("[name=originating_unit]").select_option(label="Tổ dân phố 12")
    submitter.locator("[name=title]").fill(TITLE)
    submitter.locator("[name=award_type]").select_option(label=AWARD)
    submitter.locator("[name=letter_number]").fill("15/TTr-TDP12")
    submitter.screenshot(path=screenshots / "02-dossier-form.png", full_page=True)
    submit_form(submitter)
    expect(submitter.locator("h1")).to_have_text(TITLE)
    dossier_url = submitter.url

    # The nominee list from a spreadsheet.
    submitter.locator("a[href$='/nominees/import/']").click()
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

    # Eligibility, route, submission.
    submitter.locator("a[href$='/eligibility/']").click()
    submitter.screenshot(path=screenshots / "05-eligibility.png", full_page=True)
    submitter.locator("a[href*='/submit/']").click()
    submit_form(submitter)
    expect(submitter).to_have_url(re.compile(r"/journeys/\d+/$"))
    journey_url = submitter.url
    submitter.screenshot(path=screenshots / "06-journey-submitted.png", full_page=True)

    # Ward police: the whole stage, forwarded to the city.
    ward = people.open("hcpolice.appraiser")
    appraise(ward, "commune_appraise")
    ward_secretary = people.open("hcpolice.secretary")
    vote(ward_secretary, "commune_vote")
    ward_head = people.open("hcpolice.approver")
    open_task(ward_head, "commune_sign")
    ward_head.screenshot(path=screenshots / "07-sign-task.png", full_page=True)
    ward_head.locator("[name=outcome][value=forward]").check()
    submit_form(ward_head)

    # City police: the appraiser asks for a supplement.
    city = people.open("dnpolice.appraiser")
    open_task(city, "province_appraise")
    city.screenshot(path=screenshots / "08-appraise-task.png", full_page=True)
    city.locator("[name=opinion]").fill("Thiếu báo cáo thành tích có xác nhận.")
    city.locator("[name=return_reason]").fill(RETURN_REQUEST)
    submit_form(city)

    # The submitter sees exactly what was asked, revises the dossier and sends it back.
    submitter.goto(dossier_url)
    expect(submitter.locator(".mf-facts")).to_contain_text(RETURN_REQUEST)
    attach(submitter, "Báo cáo thành tích", "bao-cao-co-xac-nhan.pdf")
    submitter.goto("/steps/inbox/")
    submitter.locator("tr.task-row", has_text=TITLE).locator("a[href*='/supplement/']").click()
    expect(submitter.locator(".mf-page")).to_contain_text(RETURN_REQUEST)
    submitter.screenshot(path=screenshots / "09-supplement-task.png", full_page=True)
    submitter.locator("[name=note]").fill("Đã bổ sung báo cáo thành tích có xác nhận của Công an phường.")
    submit_form(submitter)

    # City police again, then the Ministry, which decides.
    appraise(city, "province_appraise")
    vote(people.open("dnpolice.secretary"), "province_vote")
    sign(people.open("dnpolice.approver"), "province_sign", "forward")
    appraise(people.open("bca.appraiser"), "ministry_appraise")
    vote(people.open("bca.secretary"), "ministry_vote")
    minister = people.open("bca.approver")
    sign(minister, "ministry_sign", "decide")

    # The submitter sees the numbered decision.
    submitter.goto(dossier_url)
    # The run's first decision of the Ministry: number 01 with the Ministry's symbol.
    expect(submitter.locator(".mf-facts")).to_contain_text("01/QĐ-BCA")
    expect(submitter.locator("tr.nominee-row", has_text="Được khen thưởng")).to_have_count(len(NOMINEES))
    submitter.screenshot(path=screenshots / "11-dossier-decided.png", full_page=True)
    submitter.goto(journey_url)
    submitter.screenshot(path=screenshots / "12-journey-decided.png", full_page=True)
