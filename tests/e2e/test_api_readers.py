"""The API's two schema readers, Swagger UI and Redoc, work in the browser under the site's Content-Security-Policy."""

import pytest

pytestmark = pytest.mark.e2e

# Redoc's menu shows its vendor's logo from their CDN: the policy refuses it, as it refuses anything off the site.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(
    ("url", "rendered"),
    [("/api/schema/swagger/", ".swagger-ui .opblock"), ("/api/schema/redoc/", ".menu-content [role=menuitem]")],
)
def test_a_schema_reader_draws_the_api_without_a_violation(people, screenshots, url, rendered):
    page = people.anonymous()
    page.goto(url)
    page.locator(rendered).first.wait_for()
    page.screenshot(path=screenshots / f"api-reader-{url.strip('/').replace('/', '-')}.png")
    refused_logo = [v for v in people.csp_violations if REDOC_LOGO in (v.get("blocked", "") + v.get("console", ""))]
    for violation in refused_logo:
        people.csp_violations.remove(violation)
    assert people.csp_violations == []
    assert all(violation.get("directive", "img-src") == "img-src" for violation in refused_logo)
