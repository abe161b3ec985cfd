"""Thin views: the inbox, opening a notification, marking all read and the e-mail preferences."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from web.views import ServiceFormView

from . import kinds, selectors, services
from .forms import PreferencesForm

ALL_READ_MESSAGE = _("All notifications are marked as read.")
PREFERENCES_SAVED_MESSAGE = _("Your notification preferences are saved.")


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for notification in context["notifications"]:
            notification.kind = kinds.label(notification.event)
        return context


class NotificationOpenView(LoginRequiredMixin, View):
    """Mark the notification read and go where it points (only ever inside this site)."""

    def get(self, request, pk):
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        allowed = url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(notification.url if notification.url and allowed else reverse("notifications:list"))


class NotificationsReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        services.notifications_mark_all_read(user=request.user)
        messages.success(request, ALL_READ_MESSAGE)
        return redirect("notifications:list")


class PreferencesView(ServiceFormView):
    template_name = "notifications/preferences.html"
    form_class = PreferencesForm
    success_url = reverse_lazy("notifications:preferences")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["event_kinds"] = selectors.event_kinds_of(user=self.request.user)
        return kwargs

    def get_initial(self):
        return PreferencesForm.initial_from(selectors.preferences_of(user=self.request.user))

    def call_service(self, form):
        return services.preferences_set(user=self.request.user, modes=form.modes())

    def succeeded(self, result):
        messages.success(self.request, PREFERENCES_SAVED_MESSAGE)
        return HttpResponseRedirect(self.get_success_url())
