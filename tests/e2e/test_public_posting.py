"""The public posting before the deciding level's council (công khai), in the browser.

A city chair's Bằng khen with a posting period reaches the city's council (set up through the step views, see
``posting_data``): the city posts its nominees. The ward's emulation office the dossier came through finds the
posting from the menu and sends a comment on one nominee; the city's appraiser reads it. The period's timer is
made due and the dispatcher closes the posting; the council's vote then opens for the city's secretary, who finds
it from the notification and reads there that the list was posted, with its comment.
"""

import re

import pytest
from playwright.sync_api import expect

from .actions import follow, press
from .conftest import manage
from .posting_data import TITLE

pytestmark = pytest.mark.e2e

WARD = "Ủy ban nhân dân Phường Hải Châu"
COMMENT = "Đề nghị làm rõ thành tích năm 2026 của ông Nguyễn Văn B."


@pytest.fixture
def posted(server_env, live_server_url):
    manage(server_env, "shell", "-c", "from tests.e2e.posting_data import posted; posted()")


def from_menu(page, label: str, url_pattern: str):
    """Follow the menu's link named ``label``."""
    page.get_by_role("link", name=label).first.click()
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state()


def open_posting(page):
    """From the menu, the list of postings; return the dossier's row."""
    from_menu(page, "Công khai danh sách", r"/postings/$")
    row = page.locator("tr.posting-row", has_text=TITLE)
    expect(row).to_contain_text("Đang công khai đến hết ngày")
    return row


def test_a_unit_concerned_comments_on_the_posting_and_the_council_votes_once_it_closes(
    posted, server_env, people, screenshots
):
    ward = people.open("hc.appraiser")
    row = open_posting(ward)
    ward.screenshot(path=screenshots / "posting-01-list.png", full_page=True)
    follow(ward, "a", r"/postings/\d+/$", within=row)
    expect(ward.locator("h1")).to_contain_text(TITLE)
    expect(ward.locator("tr.posted-nominee")).to_have_count(2)
    expect(ward.locator(".mf-facts")).to_contain_text("Nghị định 98/2023/NĐ-CP, Điều 46")
    ward.locator("[name=nominee]").select_option(label="Nguyễn Văn B")
    ward.locator("[name=text]").fill(COMMENT)
    press(ward, "Gửi ý kiến")
    mine = ward.locator("li.posting-comment")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(COMMENT)
    expect(mine).to_contain_text("Nguyễn Văn B")
    ward.screenshot(path=screenshots / "posting-02-comment-sent.png", full_page=True)

    city = people.open("dn.appraiser")
    follow(city, "a", r"/postings/\d+/$", within=open_posting(city))
    expect(city.locator("#mf-comments")).to_have_text("Các ý kiến nhận được")
    received = city.locator("li.posting-comment")
    expect(received).to_have_count(1)
    expect(received).to_contain_text(COMMENT)
    expect(received).to_contain_text(WARD)
    city.screenshot(path=screenshots / "posting-03-comment-received.png", full_page=True)

    # The period is over: the dispatcher (run every minute by the scheduler) closes the posting.
    manage(server_env, "shell", "-c", "from tests.e2e.posting_data import period_over; period_over()")
    manage(server_env, "dispatch_timers")

    secretary = people.open("dn.secretary")
    from_menu(secretary, re.compile("^Thông báo"), r"/notifications/$")
    notice = secretary.locator("li.mf-notification--unread", has_text=TITLE).first
    with secretary.expect_navigation(url=re.compile(r"/province_vote/")):
        notice.locator("a").first.click()
    posting = secretary.locator(".mf-notice--posting")
    expect(posting).to_contain_text("công khai danh sách")
    expect(posting).to_contain_text("Đã kết thúc ngày")
    expect(posting).to_contain_text("Đã nhận 1 ý kiến.")
    expect(secretary.locator("[name=members]")).to_be_visible()
    secretary.screenshot(path=screenshots / "posting-04-council-vote.png", full_page=True)

    # Leave the people of the other browser tests with nothing unread.
    for page in (ward, city, secretary):
        from_menu(page, re.compile("^Thông báo"), r"/notifications/$")
        page.locator("form[action$='/read-all/'] button").click()
        expect(page.locator("li.mf-notification--unread")).to_have_count(0)
