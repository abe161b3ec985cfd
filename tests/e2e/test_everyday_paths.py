"""Each role's everyday path on a ward chair's Giấy khen, in English and Vietnamese, at 1280 px and on a 375 px phone.

Only the buttons and links of the pages are used after signing in (the home page's panels, the queue, the dossier
page): the residential group's submitter submits a ready draft from its page; the ward's appraiser returns it for
supplement with its own button; the submitter finds it on the home page and sends it back from the dossier page;
the appraiser sends it to the council, the secretary records the vote (one row's error first: what was typed and
the minutes are kept), the head reads the summary and decides; the submitter finds the decision on the home page,
and the city's auditor opens the dossier from their home page and reads its timeline, grouped by act.

Every screen is in the run's language (data aside), shows no internal code, is no wider than the window, and is
saved as ``path-<language>-<width>-<nn>-<screen>.png``. (``test_lifecycle`` walks the ministry's three stages in
Vietnamese at 1280 px, and ``test_submitter_english`` the drafting of a dossier in English.)
"""

import re

import pytest
from playwright.sync_api import expect

from org_hierarchy.demo import _demo_name

from .actions import PDF_BYTES, assert_fits, attach, follow, press, submit_form, switch_language, upload
from .conftest import PHONE_VIEWPORT, VIEWPORT, manage
from .everyday_data import NOMINEES
from .test_languages import codes_shown, foreign_text

pytestmark = pytest.mark.e2e

RETURN_REQUEST = "Bổ sung bản nhận xét của chi bộ khu phố."
# What the pages show as data: units and the ward's decision symbol, the demo's people, this test's typed text.
UNITS = [
    "Ủy ban nhân dân Phường Hải Châu",
    "Ủy ban nhân dân Thành phố Đà Nẵng",
    "Phường Hải Châu",
    "Thành phố Đà Nẵng",
    "Tổ dân phố 12",
    "Tổ viên",
    "QĐ-UBND",
]
PEOPLE = [_demo_name(index) for index in range(64)]
TYPED = [RETURN_REQUEST, "Hồ sơ đủ điều kiện, đề nghị trình Hội đồng.", "Đã bổ sung bản nhận xét."]
# The words each act's button and the dossier's pages carry, per language.
WORDS = {
    "en": {
        "submit": "Submit",
        "return": "Return for supplement",
        "council": "To the council",
        "send_back": "Send back",
        "timeline": "Timeline",
    },
    "vi": {
        "submit": "Trình",
        "return": "Trả lại bổ sung",
        "council": "Chuyển Hội đồng",
        "send_back": "Gửi lại",
        "timeline": "Dòng thời gian",
    },
}
RUNS = [("en", VIEWPORT), ("en", PHONE_VIEWPORT), ("vi", PHONE_VIEWPORT), ("vi", VIEWPORT)]


class Screens:
    """Checks and saves each screen of one run."""

    def __init__(self, screenshots, language: str, viewport: dict, title: str):
        self.folder = screenshots
        self.language = language
        self.prefix = f"path-{language}-{viewport['width']}"
        self.data = [title, *NOMINEES, *UNITS, *PEOPLE, *TYPED]
        self.number = 0

    def check(self, page, name: str) -> None:
        assert_fits(page)
        expect(page.locator("html")).to_have_attribute("lang", self.language)
        foreign = foreign_text(page, self.language, data=self.data)
        assert not foreign, f"{page.url}: {foreign}"
        codes = codes_shown(page, data=self.data)
        assert not codes, f"{page.url}: {codes}"
        self.number += 1
        page.screenshot(path=self.folder / f"{self.prefix}-{self.number:02d}-{name}.png", full_page=True)


@pytest.fixture
def vietnamese_again(server_env, live_server_url):
    """The accounts the run switches to English speak Vietnamese again afterwards, for the other browser tests."""
    yield
    manage(server_env, "shell", "-c", "from tests.e2e.everyday_data import speaking_vietnamese; speaking_vietnamese()")


def sign_in(people, username: str, language: str, viewport: dict):
    """Sign in through the login form (which leads to the home page), in the run's language."""
    page = people.open(username, viewport)
    if page.locator("html").get_attribute("lang") != language:
        switch_language(page, language)
    return page


def from_menu(page, href: str, url_pattern: str) -> None:
    """Follow the menu's entry; on a phone the menu is folded away and opens from the top bar's button first."""
    entry = page.locator(f"aside.vf-page__menu a[href='{href}']").first
    if page.viewport_size["width"] < VIEWPORT["width"]:
        page.locator("button.vf-page__menu-toggle").click()
        expect(entry).to_be_in_viewport()
    entry.click()
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state()


def open_step(page, title: str, step: str) -> None:
    """From the menu's step lists, the queue of the user's units, then the dossier's step."""
    from_menu(page, "/steps/inbox/", r"/steps/inbox/")
    follow(page, ".mf-tabs a[href='/steps/queue/']", r"/steps/queue/")
    follow(page, f"a[href*='/{step}/']", f"/{step}/", within=page.locator("tr.task-row", has_text=title))


@pytest.mark.parametrize(("language", "viewport"), RUNS, ids=[f"{lang}-{vp['width']}" for lang, vp in RUNS])
def test_each_role_walks_its_everyday_path(people, screenshots, server_env, vietnamese_again, language, viewport):
    words = WORDS[language]
    title = f"Đề nghị Giấy khen cho tổ viên tổ dân phố 12 ({language}, {viewport['width']} px)"
    manage(server_env, "shell", "-c", f"from tests.e2e.everyday_data import drafted; drafted({title!r})")
    screens = Screens(screenshots, language, viewport, title)

    # The submitter: the draft from the home page's panel, submitted from its own page.
    submitter = sign_in(people, "tdp12.submitter", language, viewport)
    screens.check(submitter, "submitter-home")
    follow(submitter, f"a:has-text({title!r})", r"/dossiers/\d+/$", within=submitter.locator(".mf-panel--drafts"))
    screens.check(submitter, "dossier-draft")
    press(submitter, words["submit"])
    expect(submitter).to_have_url(re.compile(r"/journeys/\d+/$"))
    # The dossier's own route is drawn first, its current step named; the whole flow is folded.
    expect(submitter.locator(".mf-route-step--current")).to_have_count(1)
    expect(submitter.locator(".mf-diagram__chart")).not_to_be_visible()
    screens.check(submitter, "journey")

    # The ward's appraiser returns it for supplement with the return's own button.
    appraiser = sign_in(people, "hc.appraiser", language, viewport)
    screens.check(appraiser, "appraiser-home")
    open_step(appraiser, title, "commune_appraise")
    screens.check(appraiser, "appraise")
    appraiser.locator("[name=opinion]").fill(TYPED[1])
    appraiser.locator("[name=return_reason]").fill(RETURN_REQUEST)
    press(appraiser, words["return"])

    # Signed in again, the submitter finds it under "returned" on the home page, adds a file and sends it back from
    # the dossier page.
    submitter = sign_in(people, "tdp12.submitter", language, viewport)
    follow(submitter, f"a:has-text({title!r})", r"/dossiers/\d+/$", within=submitter.locator(".mf-panel--returned"))
    expect(submitter.locator(".mf-notice--returned")).to_contain_text(RETURN_REQUEST)
    screens.check(submitter, "dossier-returned")
    attach(submitter, "Báo cáo thành tích" if language == "vi" else "Achievement report", "nhan-xet-chi-bo.pdf")
    follow(submitter, f".mf-page a:has-text({words['send_back']!r})", r"/supplement/")
    expect(submitter.locator(".mf-page")).to_contain_text(RETURN_REQUEST)
    screens.check(submitter, "send-back")
    submitter.locator("[name=note]").fill(TYPED[2])
    submit_form(submitter)

    # The appraiser sends it to the council.
    open_step(appraiser, title, "commune_appraise")
    appraiser.locator("[name=opinion]").fill(TYPED[1])
    press(appraiser, words["council"])

    # The secretary: a row's inconsistent count is shown on its row; the minutes and the counts typed are kept.
    secretary = sign_in(people, "hc.secretary", language, viewport)
    open_step(secretary, title, "commune_vote")
    screens.check(secretary, "vote")
    secretary.locator("[name=members]").fill("7")
    secretary.locator("[name=minutes]").set_input_files(upload("bien-ban-hop.pdf", "application/pdf", PDF_BYTES))
    rows = secretary.locator("input[name^=present_]")
    for index in range(rows.count()):
        pk = rows.nth(index).get_attribute("name").removeprefix("present_")
        secretary.locator(f"[name=present_{pk}]").fill("7")
        secretary.locator(f"[name=for_{pk}]").fill("9" if index == 0 else "7")
        secretary.locator(f"[name=against_{pk}]").fill("0")
    submit_form(secretary)
    wrong = secretary.locator("tr.nominee-row.mf-row--error")
    expect(wrong).to_have_count(1)
    expect(wrong.locator(".mf-error")).to_be_visible()
    expect(secretary.locator(".mf-kept-file")).to_contain_text("bien-ban-hop.pdf")
    screens.check(secretary, "vote-row-error")
    first = rows.first.get_attribute("name").removeprefix("present_")
    expect(secretary.locator(f"[name=present_{first}]")).to_have_value("7")
    secretary.locator(f"[name=for_{first}]").fill("7")
    submit_form(secretary)
    expect(secretary).to_have_url(re.compile(r"/journeys/\d+/$"))

    # The head reads the summary before the form, the history folded, and decides.
    approver = sign_in(people, "hc.approver", language, viewport)
    open_step(approver, title, "commune_sign")
    expect(approver.locator(".mf-sign-summary")).to_contain_text(title)
    expect(approver.locator("details.mf-folded").first).not_to_have_attribute("open", "")
    screens.check(approver, "sign")
    approver.locator("[name=outcome][value=decide]").check()
    submit_form(approver)

    # The submitter finds the decision on the home page.
    submitter = sign_in(people, "tdp12.submitter", language, viewport)
    follow(submitter, f"a:has-text({title!r})", r"/dossiers/\d+/$", within=submitter.locator(".mf-panel--decisions"))
    expect(submitter.locator(".mf-facts")).to_contain_text(re.compile(r"\d+/QĐ-"))
    screens.check(submitter, "dossier-decided")

    # The city's auditor: the decision from the home page, the dossier, its timeline grouped by act.
    auditor = sign_in(people, "dn.auditor", language, viewport)
    screens.check(auditor, "auditor-home")
    follow(auditor, f"a:has-text({title!r})", r"/dossiers/\d+/$", within=auditor.locator(".mf-panel--decisions"))
    follow(auditor, f".mf-page a.mf-timeline-link:has-text({words['timeline']!r})", r"/audit/timeline/dossier/\d+/$")
    expect(auditor.locator("li.timeline-row.timeline-ledger").first).to_be_visible()
    expect(auditor.locator("li.timeline-row.timeline-change")).to_have_count(0)
    expect(auditor.locator("button.timeline-digest").first).to_have_text(re.compile(r"^[0-9a-f]{8}…$"))
    screens.check(auditor, "timeline")
