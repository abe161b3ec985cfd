"""Background work of the documents app, run by Django's tasks backend on its own queue."""

from django.tasks import task

from . import services


@task(queue_name="documents")
def prepare_documents() -> int:
    """Render every due document of the decisions; return how many were stored."""
    return services.documents_prepare_due()
