"""The main pages on a 375 px phone, and by keyboard alone.

On each page: nothing is wider than the screen (tables stack or scroll inside their box, the menu is folded away),
and every form control and button has an accessible name. On the dashboard, the first Tab shows the skip link,
which leads past the menu into the content, and Tab then reaches the main actions with a visible focus ring.
Screenshots of each page at phone size go to the screenshots folder with the ``phone-`` prefix.
"""

import re

import pytest
from playwright.sync_api import expect

from .actions import follow
from .conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.e2e

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Controls without an accessible name: aria-labelledby, aria-label, a <label>, a title, or (buttons and links) their
# own text. Icon ligatures ("menu", "arrow_drop_down") are not names: they are read out as the word.
UNNAMED = """
() => {
  const text = (element) => {
    const copy = element.cloneNode(true);
    copy.querySelectorAll(".material-icons").forEach((icon) => icon.remove());
    return copy.textContent.trim();
  };
  const named = (element) => {
    const labelledby = (element.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    if (labelledby.some((id) => document.getElementById(id)?.textContent.trim())) return true;
    if ((element.getAttribute("aria-label") || "").trim()) return true;
    if ([...(element.labels || [])].some((label) => text(label))) return true;
    if ((element.getAttribute("title") || "").trim()) return true;
    if (element.matches("button, a, [role=button]")) return Boolean(text(element));
    if (element.matches("input[type=submit], input[type=button]")) return Boolean(element.value.trim());
    return false;
  };
  return [...document.querySelectorAll("input, select, textarea, button, a[href]")]
    .filter((element) => element.type !== "hidden" && element.checkVisibility())
    .filter((element) => !named(element))
    .map((element) => element.outerHTML.slice(0, 160));
}
"""
FOCUSED = """
() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    id: element.id,
    text: element.textContent.trim().replace(/\\s+/g, " ").slice(0, 80),
    href: element.getAttribute("href") || "",
    name: element.getAttribute("name") || "",
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0 && box.right <= window.innerWidth,
  };
}
"""
MAX_TABS = 25


def check_page(page, screenshot):
    page.wait_for_load_state("networkidle")
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} is wider than the phone"
    assert page.evaluate(UNNAMED) == [], f"controls without an accessible name on {page.url}"
    page.screenshot(path=screenshot, full_page=True)


def tab_to(page, matches) -> dict:
    """Press Tab until the focused element satisfies ``matches``; every element on the way shows its ring."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["ring"], f"no visible focus ring on {focused}"
        if matches(focused):
            return focused
    raise AssertionError(f"Tab never reached the element on {page.url}")


def test_main_pages_fit_a_phone_and_name_every_control(people, screenshots):
    visitor = people.anonymous(PHONE_VIEWPORT)
    check_page(visitor, screenshots / "phone-01-login.png")

    submitter = people.open("tdp12.submitter", PHONE_VIEWPORT)
    check_page(submitter, screenshots / "phone-02-home.png")
    submitter.goto("/dossiers/")
    check_page(submitter, screenshots / "phone-03-dashboard.png")
    expect(submitter.locator("tr.dossier-row").first).to_be_visible()
    follow(submitter, "tr.dossier-row a", r"/dossiers/\d+/$")
    check_page(submitter, screenshots / "phone-04-dossier.png")
    dossier_url = submitter.url
    for number, (path, name) in enumerate(
        [("files/new/", "attachment-form"), ("nominees/new/", "nominee-form"), ("edit/", "dossier-form")], start=5
    ):
        submitter.goto(dossier_url + path)
        if submitter.locator(".mf-page form").count():
            check_page(submitter, screenshots / f"phone-{number:02d}-{name}.png")
    for number, (path, name) in enumerate(
        [("/steps/inbox/", "inbox"), ("/notifications/", "notifications"), ("/accounts/profile/", "profile")],
        start=8,
    ):
        submitter.goto(path)
        check_page(submitter, screenshots / f"phone-{number:02d}-{name}.png")

    # The menu is folded away on a phone and opens from the top bar's button, its entries named too.
    submitter.goto("/dossiers/")
    drawer = submitter.locator("aside.vf-page__menu")
    expect(drawer.locator("a[href='/dossiers/']")).not_to_be_in_viewport()
    submitter.locator("button.vf-page__menu-toggle").click()
    expect(drawer.locator("a[href='/dossiers/']")).to_be_in_viewport()
    assert submitter.evaluate(UNNAMED) == [], "menu entries without an accessible name"
    submitter.screenshot(path=screenshots / "phone-11-menu.png")

    appraiser = people.open("hc.appraiser", PHONE_VIEWPORT)
    appraiser.goto("/steps/queue/")
    check_page(appraiser, screenshots / "phone-12-queue.png")


def test_the_keyboard_reaches_the_main_actions_with_a_visible_focus(people):
    submitter = people.open("tdp12.submitter", PHONE_VIEWPORT)
    submitter.goto("/dossiers/")
    submitter.wait_for_load_state("networkidle")

    submitter.keyboard.press("Tab")
    skip = submitter.evaluate(FOCUSED)
    assert skip["href"] == "#mf-main", f"the first Tab should land on the skip link, not {skip}"
    assert skip["ring"] and skip["onScreen"], skip
    submitter.keyboard.press("Enter")
    expect(submitter.locator("#mf-main")).to_be_focused()

    # From the content, past the menu: the page's own actions, in reading order.
    tab_to(submitter, lambda focused: focused["href"].endswith("/dossiers/new/"))
    tab_to(submitter, lambda focused: focused["name"] == "status")
    tab_to(submitter, lambda focused: re.search(r"^Lọc$", focused["text"]) is not None)
    tab_to(submitter, lambda focused: re.search(r"/dossiers/\d+/$", focused["href"]) is not None)
    submitter.keyboard.press("Enter")
    submitter.wait_for_url(re.compile(r"/dossiers/\d+/$"))
