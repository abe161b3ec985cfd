"""Pages of the web shell: home, profile and the language switch."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest
from django.views.generic import TemplateView
from django.views.i18n import LANGUAGE_QUERY_PARAMETER, set_language

from org_hierarchy import services

from . import selectors
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
