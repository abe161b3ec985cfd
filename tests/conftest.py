"""Suite-wide fixtures."""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in the default language, so no test depends on what an earlier one activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
