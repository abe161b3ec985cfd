from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NominationsConfig(AppConfig):
    name = "nominations"
    verbose_name = _("Nominations")

    def ready(self):
        from audit.events import AuditEvent
        from audit.verify import register_state_check

        from .state_checks import decided_outcomes_match

        register_state_check(AuditEvent.DECISION_ISSUED, decided_outcomes_match)
