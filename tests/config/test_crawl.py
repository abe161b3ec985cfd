"""No page answers 500 to anyone: crawl every link each demo user can reach, as that user; and sweep every route.

Every HTML page on the way carries no inline script, event handler or style, which the Content-Security-Policy
would refuse.

The demo is seeded on the small real-named tree (``seed_demo``, with every app's demo data), then each persona
follows the links of every page it sees, with GET only, from the home page. Pages of the same shape
(``/dossiers/<id>/``) are visited a few times each, which keeps the crawl short as the data grows.
"""

import re
from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import TestCase
from django.urls import URLResolver, get_resolver
from viewflow.workflow.models import Task

from nominations import services as nomination_services
from nominations.models import CommendationKind, SubjectType
from notifications.models import Notification
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant
from tests.workflows.base import STAGE_ROLES, FlowActions, populate
from tests.world import build_world

from .inline_code import inline_code

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
    maxDiff = None

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
                page = response.content.decode()
                # Nothing that the Content-Security-Policy would refuse (tests/config/test_csp.py).
                failures.extend(f"{url}: {found}" for found in inline_code(page))
                links = HREF.findall(page)
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


# The URLconf sweep ---------------------------------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
# Never posted: it would end the session the sweep runs in.
NOT_POSTED = ("accounts/logout/",)
# viewflow's per-step routes (eight per step of the flow, one guard for all) and the admin's (one login for all):
# each is requested by one role of each unit in turn, so the sweep stays a few thousand requests.
SHARED_PREFIXES = ("admin/", "nomination/<int:process_pk>/")
# The award catalogue and the campaigns are the same for everyone: any id of them is nobody's foreign row.
CATALOGUE_ROUTES = ("api/v1/award-types/<int:pk>/", "api/v1/campaigns/<int:pk>/")


def url_routes(patterns=None, prefix=""):
    """Yield every route of the URLconf as text (``nomination/<int:process_pk>/…``), viewflow's and the admin's."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(pattern, URLResolver):
            yield from url_routes(pattern.url_patterns, route)
        else:
            yield route


class UrlconfSweepTests(FlowActions, MeritflowTestCase):
    maxDiff = None
    """Every route of the URLconf, GET and POST, with the ids of the user's own unit and of a foreign one.

    Two communes of one province each have a dossier on its way (received and appraised, at the council's vote).
    Each role of each commune requests every route with its own commune's ids, with the other's and with no id
    (the per-step and admin routes by the roles in turn): no answer is a server error, a foreign id never answers
    200, and no page shows the other commune's dossier (its title, its nominee, the numbers of its steps).
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        populate(cls)
        w = cls.world
        cls.units = {"own": w.haichau_pc, "foreign": w.thanhkhe_pc}
        for role in STAGE_ROLES:
            cls.officers[w.thanhkhe_pc.pk, role] = grant(role, w.thanhkhe_pc)
        cls.submitters = {"own": cls.submitter, "foreign": grant(Role.SUBMITTER, w.thanhkhe_pc)}
        cls.people = {
            side: [cls.submitters[side]]
            + [cls.officers[unit.pk, role] for role in STAGE_ROLES]
            + [grant(role, unit) for role in (Role.AUDITOR, Role.ADMIN)]
            for side, unit in cls.units.items()
        }

    def setUp(self):
        self.processes = {}
        for side, unit in self.units.items():
            self.submitter = self.submitters[side]
            dossier = nomination_services.dossier_create(
                actor=self.submitter,
                originating_unit=self.world.residential_group if side == "own" else unit,
                title=f"Hồ sơ {side} {unit.name}",
                kind=CommendationKind.ANNUAL,
                award_type=self.commune_award,
                year=2026,
            )
            nomination_services.nominee_add(
                dossier=dossier, actor=self.submitter, subject_type=SubjectType.INDIVIDUAL, full_name=f"Người {side}"
            )
            process = self.processes[side] = self.submit(dossier)
            self.appraise(process, unit)
        self.submitter = self.submitters["own"]

    def ids(self, side):
        process = self.processes[side]
        dossier = process.dossier
        nominee = dossier.nominees.first()
        notification = Notification.objects.filter(recipient__in=[p.pk for p in self.people[side]]).first()
        return {
            "process": process,
            "pk": dossier.pk,
            "process_pk": process.pk,
            "nominee_pk": nominee.pk,
            "attachment_pk": 1,
            "notification": notification.pk if notification else 1,
            "key": "dossier",
            "object_id": dossier.pk,
            "id": self.submitters[side].pk,
            "content_type_id": ContentType.objects.get_for_model(dossier).pk,
            "parent_id": self.units[side].pk,
        }

    def fill(self, route, ids):
        """Return the route with its parameters filled in from ``ids`` (a task of the route's own step if any)."""
        node_name = re.match(r"nomination/<int:process_pk>/(\w+)/", route)
        tasks = Task.objects.filter(process=ids["process"]).order_by("-pk")
        task = (node_name and tasks.filter(flow_task__endswith=f".{node_name[1]}").first()) or tasks.first()
        values = {
            **ids,
            "task_pk": task.pk,
            "fmt": "csv",
            "uidb64": "MQ",
            "token": "set-password",
            "app_label": "nominations",
            "url": "x/",
        }
        if route.startswith("notifications/"):
            values["pk"] = ids["notification"]

        def value(match):
            return str(values.get(match[1] or match[2], 1))

        return "/" + PARAMETER.sub(value, route)

    def markers(self, side):
        process = self.processes[side]
        yield process.dossier.title
        yield process.dossier.nominees.first().full_name
        for task in Task.objects.filter(process=process):
            yield f"#{process.pk}/{task.pk}<"

    def request(self, method, url):
        try:
            return getattr(self.client, method)(url)
        except Exception as error:  # the test client re-raises a view's exception: that is a 500
            return error

    def test_no_route_errs_or_shows_a_foreign_row_to_any_role_of_either_unit(self):
        routes = sorted(set(url_routes()))
        self.assertGreater(len(routes), 300, "the sweep found too few routes")
        failures = []
        for side, other in (("own", "foreign"), ("foreign", "own")):
            ids, foreign_ids = self.ids(side), self.ids(other)
            foreign_markers = list(self.markers(other))
            people = self.people[side]
            for index, person in enumerate(people):
                self.client.force_login(person)
                shared = [route for route in routes if route.startswith(SHARED_PREFIXES)][index :: len(people)]
                for route in [route for route in routes if not route.startswith(SHARED_PREFIXES)] + shared:
                    variants = [("own", self.fill(route, ids))]
                    if PARAMETER.search(route):
                        variants.append(("foreign", self.fill(route, foreign_ids)))
                    for whose, url in variants:
                        for method in ("get", "post"):
                            if method == "post" and route in NOT_POSTED:
                                continue
                            response = self.request(method, url)
                            where = f"{person.username} {method.upper()} {url} ({whose} ids)"
                            if isinstance(response, Exception):
                                failures.append(f"{where}: {type(response).__name__}: {response}")
                                continue
                            if response.status_code >= 500:
                                failures.append(f"{where}: {response.status_code}")
                                continue
                            if (
                                whose == "foreign"
                                and response.status_code == 200
                                and "<int:" in route
                                and route not in CATALOGUE_ROUTES
                            ):
                                failures.append(f"{where}: 200 on a foreign id")
                            if response.status_code == 200 and not response.streaming:
                                page = response.content.decode(errors="replace")
                                shown = [marker for marker in foreign_markers if marker in page]
                                if shown:
                                    failures.append(f"{where}: shows {shown}")
                                if response.get("Content-Type", "").startswith("text/html"):
                                    failures.extend(f"{where}: {found}" for found in inline_code(page))
        self.assertEqual(failures, [])
