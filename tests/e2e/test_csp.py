"""The browser enforces the Content-Security-Policy, and the browser tests hear of every violation.

Every other browser test fails if any page it visits reports a violation (the ``people`` fixture); this one shows
that such a report does reach the test: markup with a style attribute and an inline script, put into a page, is
refused by the browser and recorded.
"""

import pytest

pytestmark = pytest.mark.e2e

INJECT = """
() => {
  window.__mfProbeViolations = 0;
  document.addEventListener("securitypolicyviolation", () => window.__mfProbeViolations++);
  document.body.insertAdjacentHTML("beforeend", '<p id="mf-csp-probe" style="color: red">probe</p>');
  const script = document.createElement("script");
  script.textContent = "window.__mfInlineRan = true;";
  document.body.append(script);
}
"""


def test_the_policy_is_enforced_and_each_violation_is_recorded(people):
    page = people.open("tdp12.submitter")
    response = page.reload()
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert people.csp_violations == []

    page.evaluate(INJECT)
    # The conftest's listener, added first, has handed each violation over by the time this one counts it.
    page.wait_for_function("() => window.__mfProbeViolations >= 2")
    assert page.evaluate("() => window.__mfInlineRan === undefined")
    assert page.evaluate("() => getComputedStyle(document.querySelector('#mf-csp-probe')).color") != "rgb(255, 0, 0)"
    directives = {violation.get("directive") for violation in people.csp_violations}
    assert {"script-src-elem", "style-src-attr"} <= directives, people.csp_violations
    # Heard, so this test's own probe does not fail it.
    people.csp_violations.clear()
