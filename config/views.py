"""Pages of the web shell: home, profile, the language switch and the two-factor pages."""

import base64
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.decorators import login_not_required
from django.core.mail import EmailMessage
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from django.views.i18n import LANGUAGE_QUERY_PARAMETER, set_language
from django_otp import user_has_device

from notifications import services as notification_services
from org_hierarchy import services

from . import selectors, two_factor
from .dashboard import dashboard_of
from .middleware import LANGUAGE_CODES


class HomeView(TemplateView):
    """Greet the person with their dashboard: what waits for them and their unit, by the roles they hold."""

    template_name = "shell/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            memberships=selectors.profile_memberships(user=user),
            panels=dashboard_of(user=user),
            **kwargs,
        )


class ProfileView(TemplateView):
    """Show the person's account, the roles they hold at which units, and their language."""

    template_name = "shell/profile.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(memberships=selectors.profile_memberships(user=self.request.user), **kwargs)


@login_not_required
def language_switch(request):
    """Switch the interface language; a signed-in person's choice is saved on their account.

    Anyone may switch, including on the login page. Django's ``set_language`` sets the cookie and redirects back.
    """
    if request.method == "POST":
        language = request.POST.get(LANGUAGE_QUERY_PARAMETER, "")
        if language not in LANGUAGE_CODES:
            return HttpResponseBadRequest(str(services.UNKNOWN_LANGUAGE))
        if request.user.is_authenticated:
            services.user_language_set(user=request.user, language=language)
    return set_language(request)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, its e-mail written to the outbox (delivered after the commit, retried) like every other."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        notification_services.emails_send(messages=[EmailMessage(subject, body, from_email, [to_email])])


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


WRONG_CODE = _("This code is not right, or it has already been used. Type the current code from your app.")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


class TwoFactorEnrolView(View):
    """Set up the authenticator app: scan the QR code, type a code, receive the recovery codes once."""

    template_name = "registration/two_factor_enrol.html"

    def page(self, request, form, status=200):
        device = two_factor.pending_device(user=request.user)
        context = {
            "form": form,
            "next": _next_url(request),
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
            "secret": base64.b32encode(device.bin_key).decode(),
        }
        return render(request, self.template_name, context, status=status)

    def dispatch(self, request, *args, **kwargs):
        # Once a device is confirmed, another is set up only after typing a code of the first (or an
        # administrator's reset): a password alone must not be enough to attach a new phone.
        if request.user.is_verified():
            return redirect(_next_url(request))
        if user_has_device(request.user, confirmed=True):
            return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _next_url(request)})}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(request, TokenForm())

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            device = two_factor.pending_device(user=request.user)
            codes = two_factor.two_factor_enrol(request=request, device=device, token=form.cleaned_data["token"])
            if codes is not None:
                return render(
                    request, "registration/two_factor_codes.html", {"codes": codes, "next": _next_url(request)}
                )
            form.add_error("token", WRONG_CODE)
        return self.page(request, form, status=400)


class TwoFactorVerifyView(View):
    """Ask for the code of the authenticator app, or a recovery code, once per session."""

    template_name = "registration/two_factor_verify.html"

    def get(self, request):
        if request.user.is_verified():
            return redirect(_next_url(request))
        return render(request, self.template_name, {"form": TokenForm(), "next": _next_url(request)})

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            if two_factor.two_factor_verify(request=request, token=form.cleaned_data["token"]):
                return redirect(_next_url(request))
            form.add_error("token", WRONG_CODE)
        return render(request, self.template_name, {"form": form, "next": _next_url(request)}, status=400)
