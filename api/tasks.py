"""Steps through the API: the caller's inbox and queue, one step with the fields its act expects, and the act."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView
from viewflow.workflow.status import STATUS

from workflows import forms as workflow_forms
from workflows import selectors as workflow_selectors

from . import forms_io, serializers
from .base import ApiViewMixin
from .dossiers import IDEMPOTENCY_KEY
from .steps import act_on_step, step_form, step_view, visible_task

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
# What each kind of step expects, from the step pages' forms (per nominee: ``<field>_<nominee id>``).
ACT_FORMS = {
    "appraise": workflow_forms.AppraiseForm,
    "consultation": workflow_forms.ConsultForm,
    "vote": workflow_forms.VoteForm,
    "sign": workflow_forms.SignForm,
    "supplement": workflow_forms.SupplementForm,
}


def _act_schema(*, files: bool) -> dict:
    variants = []
    for kind, form_class in ACT_FORMS.items():
        per_nominee = form_class.nominee_fields(None, None) if hasattr(form_class, "nominee_fields") else None
        schema = forms_io.form_schema(form_class, exclude=["staged_minutes"], per_nominee=per_nominee, files=files)
        if kind == "appraise":
            schema["properties"]["act"] = {"type": "string", "enum": [act.value for act in form_class.acts]}
            schema["required"] = [*schema.get("required", []), "act"]
        schema["title"] = kind
        variants.append(schema)
    return {
        "description": "The fields of the step's form, by its kind (see the task's ``step`` and ``fields``).",
        "anyOf": variants,  # not oneOf: a body of one kind may also fit another's fields
    }


class TaskListView(ApiViewMixin, generics.ListAPIView):
    """My steps: those I hold and the new ones waiting at my units, oldest first (the page "My steps")."""

    serializer_class = serializers.TaskSerializer

    def get_queryset(self):
        return workflow_selectors.task_mine(user=self.request.user)


class QueueView(TaskListView):
    """The free steps my roles may take at my units, not on my own dossiers."""

    def get_queryset(self):
        return workflow_selectors.task_queue(user=self.request.user)


class TaskDetailView(ApiViewMixin, APIView):
    """One step of a process the caller may see, with the fields its act expects (for its current nominees)."""

    @extend_schema(responses=serializers.TaskDetailSerializer)
    def get(self, request, pk):
        task = visible_task(request, pk)
        data = serializers.TaskSerializer(task).data
        node = task.flow_task
        data["may_act"] = node.may_act(request.user, task) and task.status in OPEN_STATUSES
        data["inputs"] = []
        if data["may_act"]:
            view = step_view(request, task)
            view.request.activation = node.activation_class(task)
            form = step_form(request, task, view, bound=False)
            data["inputs"] = [
                {
                    "name": name,
                    "label": str(field.label or name),
                    "required": field.required,
                    "schema": forms_io.field_schema(field),
                }
                for name, field in form.fields.items()
                if name != "staged_minutes"
            ]
        return Response(data)


class TaskActView(ApiViewMixin, APIView):
    """Do the step, with the fields of its page's form (JSON, or multipart for the council's minutes)."""

    @extend_schema(
        request={"application/json": _act_schema(files=False), "multipart/form-data": _act_schema(files=True)},
        parameters=[IDEMPOTENCY_KEY],
        responses=serializers.TaskSerializer,
    )
    def post(self, request, pk):
        return act_on_step(
            request, pk, respond=lambda: Response(serializers.TaskSerializer(visible_task(request, pk)).data)
        )
