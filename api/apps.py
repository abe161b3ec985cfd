from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self):
        from audit import labels
        from nominations import listeners
        from workflows import timers

        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
        from .webhooks import deliveries_write, webhooks_sweep

        # The dossiers' transitions write their webhook deliveries in their own transaction; the timer dispatcher
        # hands due retries to the webhooks worker.
        listeners.register(deliveries_write)
        timers.register(webhooks_sweep)
        labels.register_names("kind", webhook_event_names)


def webhook_event_names(values: set[str]) -> dict[str, str]:
    """The names of the webhook events a subscription's ledger entries store under ``kind``."""
    from .models import WebhookEvent

    return {value: str(WebhookEvent(value).label) for value in values if value in WebhookEvent.values}
