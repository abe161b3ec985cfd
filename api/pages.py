"""The administrators' pages for service accounts and their tokens (a token's text is shown once, on issue)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import generic

from web.views import ServiceFormView

from . import selectors, services
from .forms import AccountForm, ConfirmForm, TokenForm

NOT_AN_ADMINISTRATOR = _("Service accounts are managed by the administrators of their unit.")
CREATED = _("The service account was created. Issue it a token to let its system call the API.")
REVOKED = _("The token was revoked; calls with it are refused from now on.")


class AdministratorMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.administered_units(user=request.user).exists():
            raise PermissionDenied(NOT_AN_ADMINISTRATOR)
        return super().dispatch(request, *args, **kwargs)


class AccountListView(AdministratorMixin, generic.ListView):
    template_name = "api/account_list.html"
    context_object_name = "accounts"
    paginate_by = 50

    def get_queryset(self):
        return selectors.service_accounts_of(user=self.request.user)


class FormPage(AdministratorMixin, ServiceFormView):
    pass


class AccountCreateView(FormPage):
    form_class = AccountForm
    template_name = "api/account_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": selectors.administered_units(user=self.request.user)}

    def call_service(self, form):
        return services.service_account_create(actor=self.request.user, **form.cleaned_data)

    def succeeded(self, account):
        messages.success(self.request, CREATED)
        return redirect("api:account", pk=account.pk)


class AccountMixin(AdministratorMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.account = selectors.service_account_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(account=self.account, **kwargs)


class AccountDetailView(AccountMixin, generic.TemplateView):
    template_name = "api/account_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tokens=selectors.tokens_of(account=self.account), **kwargs)


class TokenIssueView(AccountMixin, FormPage):
    form_class = TokenForm
    template_name = "api/token_form.html"

    def call_service(self, form):
        return services.api_token_issue(actor=self.request.user, account=self.account, **form.cleaned_data)

    def succeeded(self, issued):
        token, text = issued
        # Shown on this response only: the text is not stored, and the page is not cached.
        response = TemplateResponse(
            self.request, "api/token_issued.html", {"account": self.account, "token": token, "text": text}
        )
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(AccountMixin, FormPage):
    form_class = ConfirmForm
    template_name = "api/token_revoke.html"

    @cached_property
    def token(self):
        return get_object_or_404(selectors.tokens_of(account=self.account), pk=self.kwargs["token_pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(token=self.token, **kwargs)

    def call_service(self, form):
        return services.api_token_revoke(actor=self.request.user, token=self.token)

    def succeeded(self, result):
        messages.success(self.request, REVOKED)
        return redirect("api:account", pk=self.account.pk)
