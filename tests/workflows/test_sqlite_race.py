"""On the embedded SQLite default, two simultaneous confirmations of one step: one wins, the other is told so (409).

SQLite's test database is in memory and shared by the threads of one connection, so the race runs in a child
process against a real SQLite file, as ``make run`` uses it.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation

from workflows.views import TASK_DONE


class SqliteRaceTests(SimpleTestCase):
    def test_the_second_of_two_simultaneous_confirmations_gets_409_not_500(self):
        with tempfile.TemporaryDirectory() as directory:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(directory) / 'race.sqlite3'}"}
            env.pop("REDIS_URL", None)
            run = subprocess.run(
                [sys.executable, "-m", "tests.workflows.sqlite_race"],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        answers = json.loads(run.stdout.strip().splitlines()[-1])
        self.assertEqual(sorted(answer["status"] for answer in answers), [302, 409], answers)
        refusal = next(answer["page"] for answer in answers if answer["status"] == 409)
        with translation.override("vi"):
            self.assertIn(str(TASK_DONE), refusal)
