"""One date format in both languages: dd/mm/yyyy with 24-hour time, never month first."""

import datetime

from django.forms import DateField, DateTimeField
from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import translation

MOMENT = datetime.datetime(2026, 3, 4, 14, 5)
TEMPLATE = Template(
    "{{ moment }}|{{ moment|date }}|{{ moment|date:'SHORT_DATETIME_FORMAT' }}"
    "|{{ day }}|{{ day|date:'SHORT_DATE_FORMAT' }}"
)


class DateFormatTests(SimpleTestCase):
    def test_templates_write_day_first_and_24_hour_time_in_both_languages(self):
        for language in ("vi", "en"):
            with self.subTest(language=language), translation.override(language):
                rendered = TEMPLATE.render(Context({"moment": MOMENT, "day": MOMENT.date()}))
                self.assertEqual(rendered, "04/03/2026 14:05|04/03/2026|04/03/2026 14:05|04/03/2026|04/03/2026")

    def test_forms_read_day_first_and_iso(self):
        for language in ("vi", "en"):
            with self.subTest(language=language), translation.override(language):
                self.assertEqual(DateField().clean("04/03/2026"), datetime.date(2026, 3, 4))
                self.assertEqual(DateField().clean("2026-03-04"), datetime.date(2026, 3, 4))
                self.assertEqual(DateTimeField().clean("04/03/2026 14:05").replace(tzinfo=None), MOMENT)
