"""The invitation page: an imported officer chooses their first password from the link they were e-mailed."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from . import services
from .invitations import invitation_tokens

PASSWORD_SET = _("Your password is set. Sign in with your username and the password you chose.")


class InvitationView(auth_views.PasswordResetConfirmView):
    """Django's set-password page (no login needed) with the invitation's own token; the password goes through
    ``invitation_accept``. A used or expired link shows a translated page saying to ask for a new invitation."""

    token_generator = invitation_tokens
    template_name = "org_hierarchy/invitation.html"
    success_url = reverse_lazy("login")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Choose your password") if context["validlink"] else _("This link is not valid")
        return context

    def form_valid(self, form):
        services.invitation_accept(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, PASSWORD_SET)
        return redirect(self.success_url)
