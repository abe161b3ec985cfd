"""A submitter's everyday path in English, through the buttons and links on the pages only.

The school's submitter switches the interface to English, drafts a dossier from the menu, downloads the nominee
template, fills it and imports it, attaches the two documents the award requires (the first attempt without its
document kind: the file is kept and need not be chosen again), and submits the dossier from its page. The ward
appraiser returns it for supplement; the submitter signs in again, finds it under "Returned for supplement" on the
home page, reads what was asked, adds the document and sends it back. Every screen is in English (the typed data
aside) with no internal code, fits the window, and is saved as ``submitter-en-*.png``.
"""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .actions import PDF_BYTES, XLSX, assert_fits, follow, open_task, press, submit_form, switch_language, upload
from .test_languages import codes_shown, foreign_text

pytestmark = pytest.mark.e2e

TITLE = "Đề nghị Giấy khen cho tổ thư viện năm học 2025-2026"
AWARD = "Commune People's Committee chair's certificate of merit"
LETTER = "Submission letter with the list of nominees"
REPORT = "Achievement report"
NOMINEE = ["Trần Thị Thu", "individual", "female", "04/09/1988", "Thủ thư", "Trường THCS Nguyễn Huệ", "048188002345"]
RETURN_REQUEST = "Bổ sung báo cáo thành tích của tổ thư viện."
# Typed or seeded data the English pages show: left out of the language check.
DATA = [TITLE, *NOMINEE, RETURN_REQUEST, "Ủy ban nhân dân Phường Hải Châu", "Phường Hải Châu"]


def check_screen(page, screenshots, name: str) -> None:
    """The screen is in English (its data aside), shows no internal code, fits the window, and is saved."""
    assert_fits(page)
    assert not foreign_text(page, "en", data=DATA), foreign_text(page, "en", data=DATA)
    assert not codes_shown(page, data=DATA), codes_shown(page, data=DATA)
    page.screenshot(path=screenshots / f"submitter-en-{name}.png", full_page=True)


def filled_template(download) -> bytes:
    """The downloaded template with its example row replaced by this test's nominee."""
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["Full name", "Subject type", "Gender", "Date of birth"], headers
    values = dict(
        zip(
            ["Full name", "Subject type", "Gender", "Date of birth", "Position", "Workplace", "Citizen ID number"],
            NOMINEE,
            strict=True,
        )
    )
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=2, column=index, value=values.get(header, ""))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def choose_file(page, filename: str) -> None:
    """From the dossier page, open the attachment form and choose a PDF."""
    follow(page, ".mf-page a[href$='/files/new/']", r"/files/new/$")
    page.locator("[name=file]").set_input_files(upload(filename, "application/pdf", PDF_BYTES))


def attach_from_dossier(page, kind: str, filename: str) -> None:
    """From the dossier page, attach a PDF of ``kind``; the upload leads back to the dossier page."""
    choose_file(page, filename)
    page.locator("[name=kind]").select_option(label=kind)
    press(page, "Upload")


def test_a_submitter_drafts_submits_and_resubmits_in_english(people, screenshots):
    submitter = people.open("school.submitter")
    switch_language(submitter, "en")
    check_screen(submitter, screenshots, "01-home")

    # A new dossier from the menu's dossier list; the only unit of the submitter is already chosen.
    follow(submitter, ".vf-page__menu a:has-text('Dossiers')", r"/dossiers/$")
    follow(submitter, ".mf-page a:has-text('New dossier')", r"/dossiers/new/$")
    submitter.locator("[name=title]").fill(TITLE)
    submitter.locator("[name=award_type]").select_option(label=AWARD)
    submitter.locator("[name=letter_number]").fill("21/TTr-THCSNH")
    check_screen(submitter, screenshots, "02-new-dossier")
    submit_form(submitter)
    expect(submitter.locator("h1")).to_have_text(TITLE)
    dossier_url = submitter.url

    # The nominee list: the template downloaded from the import page, filled and uploaded.
    follow(submitter, ".mf-page a[href$='/nominees/import/']", r"/nominees/import/$")
    check_screen(submitter, screenshots, "03-import")
    with submitter.expect_download() as download:
        submitter.get_by_role("link", name="Download the template (XLSX)").click()
    workbook = filled_template(download.value)
    submitter.locator("[name=file]").set_input_files(upload("nominees.xlsx", XLSX, workbook))
    press(submitter, "Import")
    expect(submitter.locator("tr.nominee-row", has_text=NOMINEE[0])).to_have_count(1)

    # The submission letter, chosen before its kind: refused for the kind, the file itself is kept.
    # The upload is sent by script: a refusal replaces the form in place, without leaving the page.
    choose_file(submitter, "to-trinh-21.pdf")
    submitter.locator(".mf-page").get_by_role("button", name="Upload", exact=True).click()
    expect(submitter.locator(".mf-kept-file")).to_contain_text("to-trinh-21.pdf")
    check_screen(submitter, screenshots, "04-attachment-kept")
    submitter.locator("[name=kind]").select_option(label=LETTER)
    press(submitter, "Upload")
    expect(submitter.locator("li.attachment-row", has_text="to-trinh-21.pdf")).to_have_count(1)
    attach_from_dossier(submitter, REPORT, "achievements.pdf")
    expect(submitter).to_have_url(dossier_url)

    # Submitted from the dossier page, after its question.
    check_screen(submitter, screenshots, "05-dossier-ready")
    press(submitter, "Submit")
    assert submitter.dialogs[-1].startswith("Submit this dossier?"), submitter.dialogs
    expect(submitter).to_have_url(re.compile(r"/journeys/\d+/$"))
    check_screen(submitter, screenshots, "06-journey")

    # The ward appraiser returns it for supplement.
    appraiser = people.open("hc.appraiser")
    open_task(appraiser, TITLE, "commune_appraise")
    appraiser.locator("[name=opinion]").fill("Thiếu báo cáo thành tích của tập thể.")
    appraiser.locator("[name=return_reason]").fill(RETURN_REQUEST)
    press(appraiser, "Trả lại bổ sung")

    # Signed in again, the submitter finds it on the home page, adds the document and sends it back.
    submitter = people.open("school.submitter")
    expect(submitter.locator("html")).to_have_attribute("lang", "en")
    returned = submitter.locator(".mf-panel--returned")
    expect(returned).to_contain_text(TITLE)
    check_screen(submitter, screenshots, "07-home-returned")
    follow(submitter, f"a:has-text('{TITLE}')", r"/dossiers/\d+/$", within=returned)
    expect(submitter.locator(".mf-notice--returned")).to_contain_text(RETURN_REQUEST)
    check_screen(submitter, screenshots, "08-dossier-returned")
    attach_from_dossier(submitter, REPORT, "library-team-report.pdf")
    follow(submitter, ".mf-page a:has-text('Send back')", r"/supplement/")
    expect(submitter.locator(".mf-page")).to_contain_text(RETURN_REQUEST)
    check_screen(submitter, screenshots, "09-send-back")
    submitter.locator("[name=note]").fill("Đã bổ sung báo cáo thành tích của tổ thư viện.")
    submit_form(submitter)

    # The dossier is on its way again: the ward appraiser has the step back in the unit's queue.
    open_task(appraiser, TITLE, "commune_appraise")
    follow(submitter, ".vf-page__menu a:has-text('Dossiers')", r"/dossiers/$")
    follow(submitter, f".mf-page a:has-text('{TITLE}')", r"/dossiers/\d+/$")
    expect(submitter.locator(".mf-notice--returned")).to_have_count(0)
    check_screen(submitter, screenshots, "10-dossier-resubmitted")
