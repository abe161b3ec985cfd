from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NominationsConfig(AppConfig):
    name = "nominations"
    verbose_name = _("Nominations")

    def ready(self):
        from audit import facets, labels
        from audit.events import AuditEvent
        from audit.timeline import register_source, register_subject
        from audit.verify import register_state_check
        from notifications import kinds

        from .models import Dossier
        from .state_checks import decision_facts_match
        from .timeline import (
            attachment_names,
            award_type_choices,
            award_type_names,
            campaign_choices,
            decision_names,
            document_kind_names,
            dossier_changes,
            dossier_facets,
            letter_names,
            nominee_names,
            outcome_choices,
            resolve,
            subject_type_names,
        )

        # The dossier's submitters are told of some ledger events (a decision, a rejection) under the event's name.
        kinds.register(AuditEvent)
        register_state_check(AuditEvent.DECISION_ISSUED, decision_facts_match)
        register_subject(Dossier, key="dossier", resolve=resolve)
        register_source(Dossier, dossier_changes)
        facets.register(Dossier, dossier_facets)
        facets.register_choices(facets.AWARD_TYPE, award_type_choices)
        facets.register_choices(facets.CAMPAIGN, campaign_choices)
        facets.register_choices(facets.OUTCOME, outcome_choices)
        labels.register_names("kind", document_kind_names)
        labels.register_names("kind", subject_type_names)
        labels.register_names("award", award_type_names)
        labels.register_names(labels.NOMINEE, nominee_names)
        labels.register_names("attachment", attachment_names)
        labels.register_names("decision", decision_names)
        labels.register_names("letter", letter_names)
