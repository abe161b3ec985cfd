"""Background work of the API app, run by Django's tasks backend on the ``webhooks`` queue (its own worker, so a
slow receiver never holds e-mail or documents back)."""

from django.tasks import task

from . import webhooks


@task(queue_name="webhooks")
def deliver_webhooks() -> int:
    """Send every due webhook delivery; return how many the receivers took."""
    return webhooks.webhooks_deliver_due()
