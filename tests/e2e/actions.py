"""What a person does on the pages, shared by the browser tests.

Links are followed by Turbo (no page load), so a click waits for the new address; forms here post without Turbo
(``data-turbo="false"``), so a submission waits for the navigation it causes.
"""

import re

from playwright.sync_api import expect

# A minimal well-formed PDF: uploads are checked by their content's type.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(name: str, mime: str, content: bytes) -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def follow(page, link_selector: str, url_pattern: str, *, within=None):
    """Click the link and wait until the browser shows the address matching ``url_pattern`` (a regex)."""
    (within or page).locator(link_selector).first.click()
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state()


def submit_form(page):
    """Press the main form's submit button (the page's own form, not the language switch or sign-out)."""
    with page.expect_navigation():
        page.locator(".mf-page form button[type=submit]").click()


def press(page, label: str):
    """Press the page's button named ``label`` (its confirmation is accepted, see ``conftest.People``)."""
    with page.expect_navigation():
        page.locator(".mf-page").get_by_role("button", name=label, exact=True).click()


def attach(page, kind: str, filename: str):
    """From the dossier page, attach a PDF of the given document kind and come back to the dossier."""
    follow(page, "a[href$='/files/new/']", r"/files/new/$")
    page.locator("[name=kind]").select_option(label=kind)
    page.locator("[name=file]").set_input_files(upload(filename, "application/pdf", PDF_BYTES))
    submit_form(page)
    expect(page.locator("li.attachment-row", has_text=filename)).to_have_count(1)


def open_task(page, title: str, step: str):
    """From the queue of the user's units, open ``step`` (its name in the URL, e.g. commune_appraise) of a dossier."""
    page.goto("/steps/queue/")
    follow(page, f"a[href*='/{step}/']", f"/{step}/", within=page.locator("tr.task-row", has_text=title))
    expect(page.locator(".mf-page form button[type=submit]").first).to_be_visible()


def wait_for_live_socket(page):
    """Wait until the page's notification socket is open (pushes sent before that would be missed)."""
    page.wait_for_function("() => (window.__mfSockets || []).some((socket) => socket.readyState === WebSocket.OPEN)")


def switch_language(page, language: str):
    """Use the language switch of the page's top bar; the choice is saved on the account."""
    with page.expect_navigation():
        page.locator(f".mf-language-switch button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def assert_fits(page):
    """Nothing on the page is wider than the window (at 375 px: tables stack or scroll inside their box)."""
    page.wait_for_load_state("networkidle")
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} is wider than the window"
