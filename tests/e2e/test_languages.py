"""The interface speaks one language at a time: Vietnamese (the default) or English, switched by the user.

The school's submitter submits the demo draft (a ward chair's Giấy khen, its documents already attached), the
ward appraiser opens the step; then both, and a visitor on the login page, see the main pages in each language.
The interface's own words (headings, labels, buttons, table and fact headers, menu entries, help and messages)
must be in that language. Data (names of units, people and dossiers, typed text) is left out: only the elements
the templates label are read, and known data values are removed from them first. In English, the whole page is
also read for internal codes (ledger event names, role and level slugs, node names, viewflow's own headers), which
the Vietnamese pages are checked for by ``tests/config/test_raw_codes.py``.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.config.raw_codes import code_findings, html_pieces

from .actions import follow, open_task, press, switch_language

pytestmark = pytest.mark.e2e

DOSSIER = "Đề nghị Giấy khen của Chủ tịch Ủy ban nhân dân phường năm học 2025-2026"
# The interface's own words: what templates and forms label, without icon ligatures ("notifications" is an icon).
# Elements with a ``lang`` attribute (the language switch names each language in itself) are skipped. The
# signed-in person's name (the menu's header) is data and removed from every text.
INTERFACE_TEXT = """
() => {
  const selector = [
    "h1", "h2", "h3", "label", "button", "th", "dt", "legend", "summary", ".mdc-button",
    ".vf-page__menu .mdc-list-item__content", ".mf-help", ".mf-sla", "[role=alert]", "[role=status]",
  ].join(",");
  const person = document.querySelector(".vf-page__menu-title")?.textContent.trim();
  return [...document.querySelectorAll(selector)]
    .filter((element) => !element.closest("[lang]:not(html)") && element.checkVisibility())
    .map((element) => {
      const copy = element.cloneNode(true);
      copy.querySelectorAll(".material-icons, [aria-hidden=true]").forEach((icon) => icon.remove());
      let text = copy.textContent.replace(/\\s+/g, " ").trim();
      if (person) {
        text = text.replaceAll(person, "").trim();
      }
      return text;
    })
    .filter((text) => text);
}
"""
# Data shown inside labelled elements: dossier titles, units, people (the seeded demo and this test's values).
DATA = [
    DOSSIER,
    "Trường THCS Nguyễn Huệ",
    "Ủy ban nhân dân Phường Hải Châu",
    "Phường Hải Châu",
    "Nguyễn Thị Lan",
    "Meritflow",
]
# Vietnamese terms the English text quotes on purpose: legal terms and the spreadsheet headers users must type.
QUOTED_VIETNAMESE = ["hiệp y", "Họ và tên", "Số CCCD", "Giới tính", "Ngày sinh", "Chức vụ"]
VIETNAMESE_LETTERS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)
# English words a Vietnamese page never needs (whole words; none is also a Vietnamese word).
ENGLISH_WORDS = re.compile(
    r"\b(the|of|and|your|my|select|option|save|cancel|submit|dossiers?|nominees?|steps?|deadline|commendation|"
    r"nomination|notifications?|profile|search|name|date|status|year|edit|remove|upload|import|confirm|decision|"
    r"outcome|opinion|present|against|keep|reason|home|password|language|units?|roles?|back|applications|files?|"
    r"documents?|attach|route|version|award|campaign|queue|inbox|overdue|mark|read|unread|sign|log)\b",
    re.IGNORECASE,
)


def interface_text(page, data=DATA) -> list[str]:
    texts = []
    for text in page.evaluate(INTERFACE_TEXT):
        for value in data:
            text = text.replace(value, "")
        texts.append(text)
    return texts


def foreign_text(page, language: str, data=DATA) -> list[str]:
    """The interface's texts not in ``language``, once the data values in ``data`` are left out."""
    if language == "en":
        found = []
        for text in interface_text(page, data):
            for term in QUOTED_VIETNAMESE:
                text = text.replace(term, "")
            if VIETNAMESE_LETTERS.search(text):
                found.append(text)
        return found
    return [text for text in interface_text(page, data) if ENGLISH_WORDS.search(text)]


def codes_shown(page, data=DATA) -> list[str]:
    """The internal codes the page shows or reads out (its text and read attributes), ``data`` left out."""
    return code_findings(html_pieces(page.content()), ignore=data)


def test_main_pages_in_vietnamese_and_in_english(people, screenshots):
    submitter = people.open("school.submitter")
    # The account may keep the English of an earlier test: this one starts in Vietnamese.
    switch_language(submitter, "vi")
    submitter.goto("/dossiers/")
    follow(submitter, "a", r"/dossiers/\d+/$", within=submitter.locator("tr", has_text=DOSSIER))
    dossier_url = submitter.url
    follow(submitter, "a[href$='/eligibility/']", r"/eligibility/$")
    eligibility_url = submitter.url
    submit_url = submitter.locator("form[action*='/submit/']").get_attribute("action")
    press(submitter, "Trình")
    expect(submitter).to_have_url(re.compile(r"/journeys/\d+/$"))
    journey_url = submitter.url

    appraiser = people.open("hc.appraiser")
    open_task(appraiser, DOSSIER, "commune_appraise")
    task_url = appraiser.url

    pages = {
        submitter: [
            "/",
            "/dossiers/",
            dossier_url,
            eligibility_url,
            submit_url,
            "/dossiers/new/",
            dossier_url + "nominees/import/",
            dossier_url + "files/new/",
            journey_url,
            "/steps/inbox/",
            "/notifications/",
            "/accounts/profile/",
        ],
        appraiser: ["/", "/steps/queue/", task_url, journey_url, "/notifications/", "/accounts/profile/"],
    }
    visitor = people.anonymous()
    visitor.screenshot(path=screenshots / "00-login.png")
    pages[visitor] = ["/accounts/login/"]
    problems = []
    for language in ("en", "vi"):
        for page, addresses in pages.items():
            switch_language(page, language)
            for address in addresses:
                page.goto(address)
                expect(page.locator("html")).to_have_attribute("lang", language)
                problems += [f"{language} {address}: {text!r}" for text in foreign_text(page, language)]
                if language == "en":
                    problems += [f"en {address}: {finding}" for finding in codes_shown(page)]
        if language == "en":
            submitter.goto(dossier_url)
            submitter.screenshot(path=screenshots / "20-dossier-english.png", full_page=True)
            appraiser.goto(task_url)
            appraiser.screenshot(path=screenshots / "21-appraise-task-english.png", full_page=True)
    assert not problems, "\n".join(problems)
