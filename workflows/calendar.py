"""Vietnamese working days for stage deadlines.

Deadlines of the commendation procedure are counted in working days: Saturdays, Sundays and the public holidays
of the Labour Code (Tết Nguyên Đán included, with the substitute days off the Government announces) do not count.
The holidays come from the maintained ``holidays`` package, so a new year's Tết dates need no code change.
"""

import datetime
from functools import lru_cache

import holidays
from django.utils import timezone

SATURDAY = 5


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: datetime.date) -> bool:
    """Tell whether ``day`` is a working day in Vietnam."""
    return day.weekday() < SATURDAY and day not in _holidays_of(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """Return the working day that is ``days`` working days after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def subtract_working_days(end: datetime.date, days: int) -> datetime.date:
    """Return the working day that is ``days`` working days before ``end``."""
    day = end
    remaining = days
    while remaining > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Return the first moment of ``day`` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Return the moment ``day`` is over: a deadline day counts in full."""
    return start_of_day(day + datetime.timedelta(days=1))
