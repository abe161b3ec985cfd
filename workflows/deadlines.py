"""Reads of a step's deadline: where it stands (overdue, due soon, on time), how it was counted, the notices sent.

A stage's deadline is kept on its process (``NominationProcess.stage_deadline``), counted in working days from
the award type's data by ``calendar``; these functions only read it.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import calendar
from .models import DeadlineNotice

# A step is "due soon" from this many working days before its stage's deadline.
DUE_SOON_WORKING_DAYS = 3


class Sla(models.TextChoices):
    """Where a step stands against its stage's deadline, counted in working days."""

    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")
    ON_TIME = "on_time", _("On time")


def due_soon_until(today: datetime.date) -> datetime.date:
    """Return the last deadline that counts as due soon seen from ``today``."""
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)


def sla_of(deadline: datetime.date | None, *, today: datetime.date, soon_until: datetime.date) -> Sla | None:
    """Return where a deadline stands; the deadline day itself counts in full (``calendar.end_of_day``)."""
    if deadline is None:
        return None
    if deadline < today:
        return Sla.OVERDUE
    if deadline <= soon_until:
        return Sla.DUE_SOON
    return Sla.ON_TIME


def deadline_timers_fired(*, task) -> list[dict]:
    """Return the deadline notices (reminder, escalation) sent for a step, oldest first: title and moment."""
    return [
        {"title": DeadlineNotice.TITLES[notice["kind"]], "at": datetime.datetime.fromisoformat(notice["at"])}
        for notice in task.data.get("deadline_notices", [])
    ]


@dataclass
class DeadlineRule:
    """How a stage deadline was counted: the award type's working days from the stage's first day, and the days
    the Government's notices made days off or working days in that span."""

    days: int
    started: datetime.date
    exceptions: list
    # The working days of the public posting before the council, added to the stage's (0: none).
    posting_days: int = 0


def deadline_rule(*, process, level) -> DeadlineRule | None:
    """Explain the deadline of the stage at ``level`` (None for a step without a stage, or one counted before
    the stage's first day was kept)."""
    if level is None or process.stage_started is None or process.stage_deadline is None:
        return None
    return DeadlineRule(
        days=process.dossier.award_type.stage_deadline_days(level),
        started=process.stage_started,
        exceptions=list(calendar.exceptions_between(process.stage_started, process.stage_deadline)),
        posting_days=process.stage_posting_days or 0,
    )
