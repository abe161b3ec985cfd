"""Form pages that hand their valid input to one service: what the service refuses comes back on the form.

A ``ValidationError`` raised by the service lands on the fields it names (the others above the form) and the page
answers 400, as it does for the form's own errors; nothing typed is lost, and a form that keeps its uploads
(``uploads.KeepsUploads``) keeps them through the refusal.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views import generic

from .uploads import KeepsUploads

FILTERS_LEFT_OUT = _("These filters were not understood and were left out: {fields}.")


def filters_left_out(form) -> str:
    """Say which filters of a list page's filter form were not understood and left out ("" when none was)."""
    if not (form.is_bound and form.errors):
        return ""
    return FILTERS_LEFT_OUT.format(fields=", ".join(str(form.fields[name].label) for name in form.errors))


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's errors next to the form fields they name, the others above the form."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


class ServiceFormView(LoginRequiredMixin, generic.FormView):
    """A form page whose valid input goes to one service; service errors come back on the form with a 400.

    The files of a form that keeps its uploads (``KeepsUploads``) are kept through a refused attempt, for this user
    on this page only, and removed once the service took them.
    """

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if issubclass(self.get_form_class(), KeepsUploads):
            kwargs["upload_owner"] = f"{self.request.user.pk}:{self.request.path}"
        return kwargs

    def form_invalid(self, form):
        if isinstance(form, KeepsUploads):
            form.keep_refused_uploads()
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        try:
            result = self.call_service(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if isinstance(form, KeepsUploads):
            form.discard_kept_uploads()
        return self.succeeded(result)

    def call_service(self, form):
        raise NotImplementedError

    def succeeded(self, result):
        raise NotImplementedError
