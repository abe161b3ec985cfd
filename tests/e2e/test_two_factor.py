"""Two-factor authentication in the browser: the demo's head signs in where the service requires it for approvers.

A second server serves a copy of the demo database with ``MFA_REQUIRED_ROLES=approver``. The head is sent to the
set-up page, reads the key under the QR code (as a person would type it into their app), types the code computed
from it, keeps the recovery codes, and reaches the home page; a wrong code is refused first.
"""

import base64
import re
import sqlite3
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from .conftest import People, serving

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_factor_url(server_env, live_server_url, tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-two-factor")
    source = sqlite3.connect(Path(server_env["MERITFLOW_E2E_ROOT"]) / "db.sqlite3")
    copy = sqlite3.connect(root / "db.sqlite3")
    source.backup(copy)
    copy.close()
    source.close()
    env = {
        **server_env,
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "MERITFLOW_E2E_ROOT": str(root),
        "MFA_REQUIRED_ROLES": "approver",
    }
    with serving(env) as url:
        yield url


def test_the_head_sets_up_two_factor_authentication_and_reaches_the_home_page(browser, two_factor_url, screenshots):
    people = People(browser, two_factor_url)
    try:
        page = people.open("dn.approver")
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
        expect(page.get_by_text("Thiết lập xác thực hai lớp").first).to_be_visible()
        expect(page.locator("img.mf-two-factor__qr")).to_be_visible()
        page.screenshot(path=screenshots / "two-factor-setup.png", full_page=True)

        key = base64.b32decode(page.locator(".mf-two-factor__secret").inner_text().strip())
        code = f"{totp(key):06d}"
        page.locator("#id_token_control").fill(f"{(int(code) + 1) % 1000000:06d}")
        page.locator("form.vf-form button[type=submit]").click()
        expect(page.get_by_text("Mã này không đúng")).to_be_visible()

        page.wait_for_timeout(1100)  # django-otp's pause after a wrong code
        page.locator("#id_token_control").fill(code)
        page.locator("form.vf-form button[type=submit]").click()
        expect(page.get_by_text("Mã khôi phục của bạn").first).to_be_visible()
        expect(page.locator(".mf-two-factor__codes li")).to_have_count(10)
        page.screenshot(path=screenshots / "two-factor-recovery-codes.png", full_page=True)

        page.get_by_role("link", name="Tiếp tục").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/"))
        assert not people.server_errors, people.server_errors
    finally:
        people.close()
