"""Background tasks of the notifications app, run by the tasks backend named in ``TASKS``."""

from django.tasks import task

from . import outbox


@task
def deliver_outbox() -> int:
    """Deliver every due e-mail of the outbox; return how many were sent."""
    return outbox.outbox_deliver_due()
