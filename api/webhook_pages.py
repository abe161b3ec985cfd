"""The administrators' pages for webhook subscriptions and their deliveries (the secret is shown once, on
subscribing); every change goes through ``services``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import generic

from . import selectors, services
from .forms import ConfirmForm, SubscriptionForm
from .models import DeliveryStatus
from .pages import AdministratorMixin, FormPage

RECENT_DELIVERIES = 50
CHANGED = _("The subscription was saved.")
DEACTIVATED = _("The subscription was deactivated: no new event is sent to it.")
RETRIED = _("The delivery will be sent again in a moment.")


class SubscriptionListView(AdministratorMixin, generic.TemplateView):
    template_name = "api/webhook_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            subscriptions=list(selectors.subscriptions_of(user=user)),
            deliveries=list(selectors.deliveries_for(user=user)[:RECENT_DELIVERIES]),
            retryable=(DeliveryStatus.PENDING, DeliveryStatus.FAILED),
            **kwargs,
        )


class SubscriptionCreateView(FormPage):
    form_class = SubscriptionForm
    template_name = "api/webhook_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": selectors.administered_units(user=self.request.user)}

    def call_service(self, form):
        return services.webhook_subscription_create(actor=self.request.user, **form.cleaned_data)

    def succeeded(self, created):
        subscription, secret = created
        # Shown on this response only: the page is not cached, and the secret is stored sealed.
        response = TemplateResponse(
            self.request, "api/webhook_secret.html", {"subscription": subscription, "secret": secret}
        )
        response["Cache-Control"] = "no-store"
        return response


class SubscriptionMixin(AdministratorMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.subscription = selectors.subscription_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(subscription=self.subscription, **kwargs)


class SubscriptionDetailView(SubscriptionMixin, generic.ListView):
    template_name = "api/webhook_detail.html"
    context_object_name = "deliveries"
    paginate_by = 50

    def get_queryset(self):
        return selectors.deliveries_of(subscription=self.subscription)

    def get_context_data(self, **kwargs):
        return super().get_context_data(retryable=(DeliveryStatus.PENDING, DeliveryStatus.FAILED), **kwargs)


class SubscriptionEditView(SubscriptionMixin, FormPage):
    form_class = SubscriptionForm
    template_name = "api/webhook_form.html"

    def get_initial(self):
        subscription = self.subscription
        return {"name": subscription.name, "url": subscription.url, "events": subscription.events}

    def call_service(self, form):
        return services.webhook_subscription_update(
            actor=self.request.user, subscription=self.subscription, **form.cleaned_data
        )

    def succeeded(self, subscription):
        messages.success(self.request, CHANGED)
        return redirect("api:webhook", pk=self.subscription.pk)


class SubscriptionDeactivateView(SubscriptionMixin, FormPage):
    form_class = ConfirmForm
    template_name = "api/webhook_deactivate.html"

    def call_service(self, form):
        return services.webhook_subscription_deactivate(actor=self.request.user, subscription=self.subscription)

    def succeeded(self, subscription):
        messages.success(self.request, DEACTIVATED)
        return redirect("api:webhook", pk=self.subscription.pk)


class DeliveryRetryView(AdministratorMixin, generic.View):
    """``POST``: send one delivery again now (a button on the lists); back to the page it was pressed on."""

    def post(self, request, pk):
        delivery = selectors.delivery_get(user=request.user, pk=pk)
        try:
            services.webhook_delivery_retry(actor=request.user, delivery=delivery)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, RETRIED)
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect("api:webhook", pk=delivery.subscription_id)
