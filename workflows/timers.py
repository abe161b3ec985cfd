"""Periodic jobs of the apps above the workflow, run by ``dispatch_timers`` with the deadline notices.

The workflow sits below those apps and imports none of them: an app registers its job here from its
``AppConfig.ready``. A job takes no argument and returns how many notices it sent.
"""

from collections.abc import Callable

_jobs: list[Callable[[], int]] = []


def register(job: Callable[[], int]) -> None:
    if job not in _jobs:
        _jobs.append(job)


def run_registered() -> int:
    """Run every registered job; return the notices they sent."""
    return sum(job() for job in _jobs)
