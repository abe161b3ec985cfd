"""The deployment guide documents every environment variable the settings read."""

import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

BASE_DIR = Path(settings.BASE_DIR)


class DeploymentGuideTests(SimpleTestCase):
    def test_every_environment_variable_is_documented(self):
        source = (BASE_DIR / "config" / "settings.py").read_text(encoding="utf-8")
        variables = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
        self.assertGreater(len(variables), 10, "the settings should read their configuration with env.<type>(...)")
        guide = (BASE_DIR / "docs" / "deployment.md").read_text(encoding="utf-8")
        documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", guide, flags=re.MULTILINE))
        self.assertEqual(sorted(variables - documented), [], "add these to the table in docs/deployment.md")
        self.assertEqual(sorted(documented - variables), [], "the settings no longer read these")
