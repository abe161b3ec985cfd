"""Background work of the documents app, run by Django's tasks backend."""

from django.tasks import task

from nominations.models import Decision

from . import services


@task
def decision_document_generate(decision_id: int) -> None:
    services.decision_document(decision=Decision.objects.get(pk=decision_id))
