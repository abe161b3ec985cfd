"""The Content-Security-Policy header: scripts and styles from the site's own files only, no framing.

Whether the pages keep to it is shown by the crawl (tests/config/test_crawl.py, every page each demo user reaches
and every route, read with ``inline_code``) and by the browser tests, which fail on any violation the browser
reports (tests/e2e/conftest.py).
"""

import re

from django.test import SimpleTestCase
from django.urls import reverse

from org_hierarchy.models import Role
from tests.base import MeritflowTestCase

from .inline_code import inline_code


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


class PolicyTests(MeritflowTestCase):
    def assert_strict(self, response):
        policy = directives(response)
        self.assertEqual(policy["script-src"], ["'self'", "'report-sample'"])
        self.assertEqual(policy["frame-ancestors"], ["'none'"])
        self.assertEqual(policy["object-src"], ["'none'"])
        self.assertEqual(policy["base-uri"], ["'none'"])
        self.assertEqual(policy["form-action"], ["'self'"])
        self.assertNotIn("'unsafe-inline'", response["Content-Security-Policy"])
        self.assertNotIn("'unsafe-eval'", response["Content-Security-Policy"])
        # The one nonce is the one Turbo's progress bar reads from the page to style itself.
        nonce = re.search(r'<meta name="csp-nonce" content="([^"]+)">', response.content.decode()).group(1)
        self.assertEqual(policy["style-src"], ["'self'", f"'nonce-{nonce}'", "'report-sample'"])
        return nonce

    def test_the_login_page_sends_the_policy(self):
        self.assert_strict(self.client.get(reverse("login")))

    def test_signed_in_pages_send_the_policy_with_a_fresh_nonce_each_time(self):
        self.act_as(Role.SUBMITTER, self.world.residential_group)
        first = self.assert_strict(self.client.get(reverse("index")))
        second = self.assert_strict(self.client.get(reverse("index")))
        self.assertNotEqual(first, second)

    def test_responses_that_are_not_pages_send_it_too(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(directives(response)["frame-ancestors"], ["'none'"])


class InlineCodeTests(SimpleTestCase):
    def test_finds_what_the_policy_refuses(self):
        page = """<p style="color: red">a</p>
        <button onclick="go()">b</button>
        <a href="javascript:go()">c</a>
        <style>p { color: red; }</style>
        <script>go();</script>"""
        self.assertEqual(
            inline_code(page),
            [
                "line 1: <p style='color: red'>",
                "line 2: <button onclick=…>",
                "line 3: <a href='javascript:go()'>",
                "line 4: <style>",
                "line 5: <script>go();",
            ],
        )

    def test_leaves_files_and_data_blocks_alone(self):
        page = """<script src="/static/app.js" defer></script>
        <script type="application/json" id="data">{"a": 1}</script>
        <link href="/static/app.css" rel="stylesheet"><p class="mf-message">ok</p>"""
        self.assertEqual(inline_code(page), [])
