"""What the documents app does when the nominations app changes what a document prints."""

from django.db import transaction

from nominations.models import Decision

from . import services
from .models import DocumentKind


def revocation_saved(sender, instance, created, **kwargs):
    """A revocation: once it is committed, ask for the printing set that shows it (the old one stays)."""
    if not created:
        return
    decision_id = instance.decision_id

    def request():
        services.document_request(decision=Decision.objects.get(pk=decision_id), kind=DocumentKind.CERTIFICATES)

    transaction.on_commit(request, robust=True)
