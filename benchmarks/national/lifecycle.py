"""Drive a dossier through the flow as the task views do, without HTTP: used by the data generator and benchmarks.

Each step opens the same transaction the execute URL opens (the flow lock's), takes the task for the acting user,
starts it and calls the step's service with the arguments its form would pass. The acting user is
handed to django-simple-history the way its request middleware does, so every history row names who acted.
"""

from contextlib import contextmanager

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory, override_settings
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from nominations.models import NomineeOutcome
from workflows import services
from workflows.flows import NominationFlow

# A one-page PDF: enough for the type sniffing of council minutes and attachments.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# Generated people have generated addresses: their notices stay in the inbox and no e-mail leaves the machine.
def no_mail() -> override_settings:
    return override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}})


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, "application/pdf")


@contextmanager
def acting_as(user):
    """Make ``user`` the author of the history rows written inside the block (as the request middleware does)."""
    request = RequestFactory().post("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        yield request
    finally:
        del HistoricalRecords.context.request


def submit(dossier, *, actor):
    """Start the flow for a draft, as the submit view does; return the process."""
    node = NominationFlow.submit
    with acting_as(actor) as request, transaction.atomic():
        activation = node.activation_class.create(node, None, None)
        activation.start(request)
        return services.process_start(activation=activation, dossier=dossier, actor=actor)


def open_task(process):
    return Task.objects.select_related("process", "owner").get(
        process_id=process.pk, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )


def act(process, *, actor, service, **kwargs):
    """Take the open human task of ``process`` for ``actor`` and run ``service`` on it, under the flow lock.

    As the execute URL does (``nodes.GuardedExecuteMixin``): the lock's transaction is the step's, and a free task
    is taken in memory, so completing it writes the row and its history once.
    """
    with acting_as(actor) as request, NominationFlow.instance.lock(process.pk):
        task = open_task(process)
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            task.owner = actor
            task.status = STATUS.ASSIGNED
        activation.start(request)
        service(activation=activation, actor=actor, **kwargs)
        return task


def pending_ids(process) -> list[int]:
    return list(
        process.dossier.nominees.filter(outcome=NomineeOutcome.PENDING).order_by("pk").values_list("pk", flat=True)
    )


def appraise(process, *, actor, return_reason: str = ""):
    """Appraise and pass on to the council, or return with ``return_reason`` when it is given."""
    kwargs = {"return_reason": return_reason} if return_reason else {}
    return act(
        process,
        actor=actor,
        service=services.stage_appraise_return if return_reason else services.stage_appraise_to_council,
        opinion="Đủ điều kiện, đề nghị trình Hội đồng Thi đua - Khen thưởng.",
        recommendations=dict.fromkeys(pending_ids(process), True),
        **kwargs,
    )


def vote(process, *, actor, members: int = 9, failing: frozenset[int] = frozenset()):
    """Record a council vote: every pending nominee passes unanimously except those in ``failing`` (2 of 9)."""
    ballots = {
        pk: (members, 2 if pk in failing else members, members - 2 if pk in failing else 0)
        for pk in pending_ids(process)
    }
    return act(
        process,
        actor=actor,
        service=services.council_vote_record,
        members=members,
        ballots=ballots,
        minutes=pdf("bien-ban-hop-hoi-dong.pdf"),
    )


def sign(process, *, actor, outcome: str, note: str = ""):
    return act(
        process,
        actor=actor,
        service=services.stage_sign,
        outcome=outcome,
        note=note,
    )
