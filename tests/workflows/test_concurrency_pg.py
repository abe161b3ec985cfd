"""Races on PostgreSQL: many people confirming one step, many decisions of one issuer at once."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client, override_settings

from nominations.models import Decision
from org_hierarchy.models import Role
from tests.base import CommittingTestCase, grant
from tests.world import build_world
from workflows.models import StageOutcome
from workflows.views import TASK_BUSY, TASK_DONE

from .base import FlowActions, populate

THREADS = 20


def run_together(count, action):
    """Run ``action(n)`` in ``count`` threads released at once; return the results in thread order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        try:
            barrier.wait()
            results[n] = action(n)
        except Exception as exc:  # the test asserts no thread failed
            results[n] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ConcurrentStepTests(FlowActions, CommittingTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("needs PostgreSQL row locks")
        self.world = build_world()
        populate(self)

    def ready_to_sign(self, title):
        dossier = self.make_dossier(self.commune_award, nominees=1, title=title)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        return dossier, process, self.open_task(process)

    def sign_data(self, dossier):
        data = {"outcome": StageOutcome.DECIDE, "note": ""}
        for pk in self.nominee_ids(dossier):
            data[f"keep_{pk}"] = "on"
        return data

    def test_twenty_approvers_confirm_one_step_and_exactly_one_wins(self):
        dossier, _process, task = self.ready_to_sign("Một bước, hai mươi người")
        clients = []
        for _ in range(THREADS):
            client = Client()
            client.force_login(grant(Role.APPROVER, self.world.haichau_pc))
            clients.append(client)
        url, data = self.execute_url(task), self.sign_data(dossier)

        responses = run_together(THREADS, lambda n: clients[n].post(url, data))

        self.assertFalse([r for r in responses if isinstance(r, Exception)], responses)
        statuses = sorted(r.status_code for r in responses)
        self.assertEqual(statuses, [302] + [409] * (THREADS - 1))
        refusals = {r.content.decode() for r in responses if r.status_code == 409}
        for body in refusals:
            self.assertTrue(str(TASK_DONE) in body or str(TASK_BUSY) in body, body[:300])
        self.assertEqual(Decision.objects.filter(dossier=dossier).count(), 1)
        task.refresh_from_db()
        self.assertEqual(task.status, "DONE")

    def test_twenty_decisions_of_one_issuer_get_consecutive_numbers(self):
        head = self.officer(self.world.haichau_pc, Role.APPROVER)
        ready = [self.ready_to_sign(f"Hồ sơ {n:02d}") for n in range(THREADS)]
        client = Client()
        client.force_login(head)
        cookies = client.cookies

        def sign(n):
            dossier, _process, task = ready[n]
            own = Client()
            own.cookies = cookies
            return own.post(self.execute_url(task), self.sign_data(dossier)).status_code

        statuses = run_together(THREADS, sign)

        self.assertEqual(statuses, [302] * THREADS)
        numbers = sorted(Decision.objects.filter(issuer_unit=self.world.haichau_pc).values_list("number", flat=True))
        self.assertEqual(numbers, list(range(1, THREADS + 1)))
