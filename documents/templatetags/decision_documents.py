"""The state of a decision's documents for the dossier page: ready, being prepared, or could not be prepared."""

from django import template

from documents import services

register = template.Library()


@register.simple_tag
def decision_files(decision):
    """``{% decision_files decision as files %}``: ``files.decision`` and ``files.certificates``, or None."""
    return services.decision_files(decision=decision)
