"""Schemathesis against the committed schema: every operation, as a submitter, an approver and an auditor.

The schema is ``docs/api/openapi.yaml``, what integrators read (``test_foundations`` keeps it equal to the code's),
and each operation is called with generated requests through the WSGI application, once with generated ids and
once with the id of a real row (a dossier through its journey, a step waiting, the decision, its certificate and
verification code), so the answers checked are real ones and not only 404s. No answer may be a server error, and
every answer must be documented and match the schema (status code, content type, headers, body). The examples
are few and derandomized, so the run is the same on every machine and short enough for CI. The counts are printed
at the end of the session (``conftest.py``).
"""

from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nominations.models import AwardRecord

from ..reports import support as reports_support
from .support import FUZZ_SUMMARY, Role
from .test_lifecycle import ROUTE, ApiFlowTestCase

SCHEMA = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"
EXAMPLES = 4
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class SchemaFuzzTests(ApiFlowTestCase):
    @pytest.fixture(autouse=True)
    def _pytest_config(self, pytestconfig):
        self.pytest_config = pytestconfig

    def keep_the_connection_open(self):
        """As Django's test client does around its requests: a request's start or end must not close the
        connection of the test's transaction (after the test client's last request, which connects them again)."""
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)

    def decided_dossier(self):
        """A dossier through its three stages to the Ministry's decision, through the API."""
        dossier_id = self.draft(nominees=1)
        self.submit(dossier_id, key=f"fuzz-{dossier_id}")
        for index, name in enumerate(ROUTE):
            self.appraise(dossier_id, name)
            self.vote(dossier_id, name)
            self.sign(dossier_id, name, "decide" if index == len(ROUTE) - 1 else "forward")
        return dossier_id

    def real_ids(self):
        """The path parameters of real rows, by the path's resource."""
        decided = self.decided_dossier()
        waiting = self.draft(nominees=1)
        self.submit(waiting, key="fuzz-waiting")
        task = self.open_task(self.tokens["haichau_police", Role.APPRAISER])
        record = AwardRecord.objects.get(decision__dossier_id=decided)
        report_campaign = reports_support.campaign(self.world)
        return {
            "units": {"id": self.world.haichau_police.pk},
            "award-types": {"id": self.ministry_award.pk},
            "campaigns": None,
            "dossiers": {"id": waiting},
            "tasks": {"id": task["id"]},
            "decisions": {"id": record.decision_id},
            "certificates": {"id": record.pk},
            "verify": {"code": record.verification_code},
            "statistics": None,
            "yearly-reports": {"campaign": report_campaign.pk, "year": 2026, "unit": self.world.mps.pk},
            # Read by the units' administrators only: none of the three callers is one (403 for every id).
            "webhooks": None,
        }

    def fuzz(self, operation, path_parameters, token, count):
        """Run the checks on ``EXAMPLES`` generated calls of ``operation``; ``count(response)`` tallies each."""
        strategy = operation.as_strategy(path_parameters=path_parameters)

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            cache.clear()  # the per-token and per-address allowances are not under test here
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            count(response)
            case.validate_response(response, checks=CHECKS)

        run()

    def test_every_operation_as_a_submitter_an_approver_and_an_auditor(self):
        real = self.real_ids()
        callers = {
            "submitter": self.tokens["submitter"],
            "approver": self.tokens["mps", Role.APPROVER],
            "auditor": self.auditor,
        }
        schema = schemathesis.openapi.from_path(SCHEMA)
        schema.app = WSGIHandler()
        self.keep_the_connection_open()
        calls, statuses, operations = Counter(), Counter(), []

        for result in schema.get_all_operations():
            operation = result.ok()
            operations.append(operation.label)
            resource = operation.path.removeprefix("/api/v1/").split("/")[0]
            pinned = [None] + ([real[resource]] if "{" in operation.path and real[resource] else [])
            for caller, token in callers.items():
                for path_parameters in pinned:

                    def count(response, caller=caller):
                        calls[caller] += 1
                        statuses[response.status_code // 100] += 1

                    with self.subTest(operation=operation.label, caller=caller, real=bool(path_parameters)):
                        self.fuzz(operation, path_parameters, token, count)

        self.assertEqual(len(operations), 39)
        by_caller = ", ".join(f"{caller} {number}" for caller, number in sorted(calls.items()))
        answers = ", ".join(f"{status}xx {number}" for status, number in sorted(statuses.items()))
        self.pytest_config.stash.setdefault(FUZZ_SUMMARY, []).append(
            f"schemathesis: {len(operations)} operations, {calls.total()} calls ({by_caller}); answers {answers}; "
            f"server errors {statuses[5]}; {len(CHECKS)} checks per answer"
        )
        self.assertEqual(statuses[5], 0)
        # The real ids reach the views: some answers succeed, for every caller.
        self.assertGreater(statuses[2], 0)
