"""No page answers 500 to anyone: crawl every link each demo user can reach, as that user.

The demo is seeded on the small real-named tree (``seed_demo``, with every app's demo data), then each persona
follows the links of every page it sees, with GET only, from the home page. Pages of the same shape
(``/dossiers/<id>/``) are visited a few times each, which keeps the crawl short as the data grows.
"""

import re
from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urlsplit

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase

from tests.world import build_world

PERSONAS = [
    "tdp12.submitter",
    "hc.submitter",
    "hc.appraiser",
    "hc.secretary",
    "hc.approver",
    "hcpolice.appraiser",
    "dn.auditor",
    "dn.admin",
    "dn.deputy",
    "dnpolice.approver",
    "bca.approver",
    "bca.auditor",
    "admin",
]
HREF = re.compile(r'href="([^"#][^"]*)"')
# Links that leave the pages: static files, downloads of the static diagram export, logout (POST only).
SKIPPED_PREFIXES = ("/static/", "/media/", "/accounts/logout/", "/i18n/")
PAGES_PER_SHAPE = 2
# Besides the home page, the filtered dashboard (its filter form is not a link).
START = ["/", "/dossiers/?status=submitted&year=2026"]
# The submitter's pages the crawl must reach from there: dossier, editor and forms, inline previews.
SUBMITTERS = ("tdp12.submitter",)
SUBMITTER_PAGES = {
    "/dossiers/#/",
    "/dossiers/#/edit/",
    "/dossiers/#/eligibility/",
    "/dossiers/#/files/new/",
    "/dossiers/#/files/#/view/",
    "/dossiers/#/nominees/new/",
}
PAGES_PER_PERSONA = 400


def shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/#", path)


class CrawlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_world()
        call_command("seed_demo", stdout=StringIO())

    def crawl(self, username: str) -> tuple[list[str], int, set[str]]:
        self.client.force_login(get_user_model().objects.get(username=username))
        queue, seen, shapes, failures = deque(START), set(START), {}, []
        visited = 0
        while queue and visited < PAGES_PER_PERSONA:
            url = queue.popleft()
            visited += 1
            try:
                response = self.client.get(url)
            except Exception as error:  # the test client re-raises a view's exception: that is a 500
                failures.append(f"{url}: {type(error).__name__}: {error}")
                continue
            if response.status_code >= 500:
                failures.append(f"{url}: {response.status_code}")
                continue
            if response.status_code in (301, 302, 303) and response.url.startswith("/"):
                links = [response.url]
            elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                links = HREF.findall(response.content.decode())
            else:
                continue
            for link in links:
                link = urldefrag(link.replace("&amp;", "&"))[0]
                parts = urlsplit(link)
                if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                    continue
                if parts.path.startswith(SKIPPED_PREFIXES) or link in seen:
                    continue
                key = shape(parts.path)
                if shapes.get(key, 0) >= PAGES_PER_SHAPE:
                    continue
                shapes[key] = shapes.get(key, 0) + 1
                seen.add(link)
                queue.append(link)
        return failures, visited, set(shapes)

    def test_no_page_fails_for_any_demo_user(self):
        for username in PERSONAS:
            with self.subTest(user=username):
                failures, visited, shapes = self.crawl(username)
                self.assertEqual(failures, [])
                self.assertGreater(visited, 5, "the crawl found almost nothing to visit")
                if username in SUBMITTERS:
                    self.assertLessEqual(SUBMITTER_PAGES, shapes, "the crawl missed some of the submitter's pages")
