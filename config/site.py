"""The web shell: viewflow's Site, whose menu lists one application per part of the product.

To add a part, append its viewset to ``site``'s list below (one line), e.g. ``FlowAppViewset(NominationFlow)``.
Pages an app serves from its own ``urls.py`` get a menu entry in ``MENU_LINKS`` instead, and still show the whole
menu: ``templates/viewflow/base_page.html`` falls back to ``site`` through ``config.context_processors.shell``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from viewflow.contrib.admin import Admin
from viewflow.urls import Site

from api import selectors as api_selectors
from audit import selectors as audit_selectors
from nominations import selectors as nomination_selectors
from reports.statistics import may_view_statistics
from workflows.flows import NominationFlow
from workflows.viewsets import NominationAppViewset

from .views import HomeView

# Strings the pages show from Django itself and django-axes that their Vietnamese catalogues lack (Django 6.1's
# label of an empty choice; the sign-in lockouts' administration). Marked here so that `make messages` keeps them
# in the project catalogue, which Django reads first.
# Also words that a catalogue read before the apps' own translates as it stands (django.contrib.auth's "version").
THIRD_PARTY_STRINGS = (
    gettext_noop("- Select an option -"),
    gettext_noop("version"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Username"),
    gettext_noop("IP Address"),
    gettext_noop("Failed Logins"),
    gettext_noop("Attempt Time"),
)


class MeritflowSite(Site):
    """The Site, with a home page at its root instead of a redirect to the first application."""

    @property
    def index_path(self):
        return path("", HomeView.as_view(), name="index")


site = MeritflowSite(
    title="Meritflow",
    viewsets=[
        NominationAppViewset(NominationFlow, icon="military_tech"),
        Admin(),
    ],
)


@dataclass(frozen=True)
class MenuLink:
    """A menu entry for pages that an app serves from its own ``urls.py``; each page scopes what it shows."""

    title: str
    icon: str
    url_name: str
    # Who sees the entry (a selector's predicate); everyone signed in when None.
    visible_to: Callable[..., bool] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU_LINKS = [
    MenuLink(_("My steps"), "assignment_ind", "workflows:inbox"),
    MenuLink(_("Dossiers"), "folder_open", "nominations:dossier_list"),
    MenuLink(_("Public postings"), "campaign", "nominations:posting_list"),
    MenuLink(_("Notifications"), "notifications", "notifications:list"),
    MenuLink(_("Statistics"), "bar_chart", "reports:statistics", visible_to=may_view_statistics),
    MenuLink(_("Yearly reports"), "summarize", "reports:yearly_list", visible_to=may_view_statistics),
    MenuLink(_("Activity log"), "history", "audit:ledger", visible_to=audit_selectors.is_auditor),
    MenuLink(_("Webhooks"), "webhook", "api:webhooks", visible_to=api_selectors.is_administrator),
    MenuLink(
        _("Award register"),
        "menu_book",
        "nominations:award_register",
        visible_to=nomination_selectors.may_read_register,
    ),
]


def menu_links(*, user) -> list[MenuLink]:
    """Return the menu entries the user may open."""
    if not user.is_authenticated:
        return []
    return [link for link in MENU_LINKS if link.visible_to is None or link.visible_to(user=user)]
