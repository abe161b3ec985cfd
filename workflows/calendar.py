"""Vietnamese working days for stage deadlines.

Deadlines of the commendation procedure are counted in working days: Saturdays, Sundays and the public holidays
of the Labour Code (Tết Nguyên Đán included) do not count. The holidays come from the maintained ``holidays``
package, so a new year's Tết dates need no code change; the Government's yearly notices (extra days off around a
holiday, make-up working Saturdays) are ``CalendarException`` rows that administrators enter, and they win.

A year's exceptions are read once and kept in Django's cache for ``CACHE_SECONDS``; a change through
``calendar_exception_save`` or ``calendar_exception_remove`` clears that year at once (other processes that do not
share the cache see it within ``CACHE_SECONDS``).
"""

import datetime
from functools import lru_cache

import holidays
from django.core.cache import cache
from django.utils import timezone

from .models import CalendarDayKind, CalendarException

SATURDAY = 5
CACHE_SECONDS = 300


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def _cache_key(year: int) -> str:
    return f"workflows:calendar-exceptions:{year}"


def exceptions_of(year: int) -> dict[datetime.date, str]:
    """Return {day: kind} of the year's calendar exceptions (one query per year, then the cache)."""

    def read():
        return dict(CalendarException.objects.filter(day__year=year).values_list("day", "kind"))

    return cache.get_or_set(_cache_key(year), read, CACHE_SECONDS)


def forget_year(year: int) -> None:
    """Drop the cached exceptions of ``year`` (after one of them changed)."""
    cache.delete(_cache_key(year))


def is_working_day(day: datetime.date) -> bool:
    """Tell whether ``day`` is a working day in Vietnam, the Government's notices included."""
    kind = exceptions_of(day.year).get(day)
    if kind is not None:
        return kind == CalendarDayKind.WORKING_DAY
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


def exceptions_between(first: datetime.date, last: datetime.date):
    """Return the calendar exceptions from ``first`` to ``last``, in order (for a deadline's explanation)."""
    return CalendarException.objects.filter(day__gte=first, day__lte=last).order_by("day")


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Return the first moment of ``day`` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Return the moment ``day`` is over: a deadline day counts in full."""
    return start_of_day(day + datetime.timedelta(days=1))
