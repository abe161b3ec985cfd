"""Two approvers confirm the same step at the same moment, on a SQLite file database (run by test_sqlite_race).

Run as ``python -m tests.workflows.sqlite_race`` with ``DATABASE_URL`` naming a fresh SQLite file: it migrates
that database, prepares a dossier ready to be signed, posts the sign step from two threads released together,
and prints the two answers' status codes and pages as JSON.
"""

import json
import os
import threading
import unittest

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402  (needs the settings loaded)
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from org_hierarchy.models import Role  # noqa: E402
from tests.base import grant  # noqa: E402
from tests.workflows.base import FlowActions, populate  # noqa: E402
from tests.world import build_world  # noqa: E402
from workflows.models import StageOutcome  # noqa: E402


class Race(FlowActions, unittest.TestCase):
    def runTest(self):
        self.client = Client()
        self.world = build_world()
        populate(self)
        dossier = self.make_dossier(self.commune_award, nominees=1)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        task = self.open_task(process)
        data = {"outcome": StageOutcome.DECIDE, "note": "", "letter_number": "12/TTr-UBND"}
        data |= {f"keep_{pk}": "on" for pk in self.nominee_ids(dossier)}
        clients = []
        for _ in range(2):
            client = Client()
            client.force_login(grant(Role.APPROVER, self.world.haichau_pc))
            clients.append(client)
        connection.close()
        barrier, answers = threading.Barrier(2), [None, None]

        def post(n):
            barrier.wait()
            try:
                response = clients[n].post(self.execute_url(task), data)
                answers[n] = {"status": response.status_code, "page": response.content.decode()}
            except Exception as error:  # reported to the test, which expects none
                answers[n] = {"status": 500, "page": f"{type(error).__name__}: {error}"}
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(json.dumps(answers))


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        Race().runTest()
