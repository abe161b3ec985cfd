"""The web shell: viewflow's Site, whose menu lists one application per part of the product.

To add a part, append its viewset to ``site``'s list below (one line), e.g. ``FlowAppViewset(NominationFlow)``.
Pages served outside the Site (an app's own ``urls.py``) still show this menu: ``templates/viewflow/base_page.html``
falls back to ``site`` through the ``config.context_processors.shell`` context processor.
"""

from django.urls import path
from viewflow.contrib.admin import Admin
from viewflow.urls import Site

from workflows.flows import NominationFlow
from workflows.viewsets import NominationAppViewset

from .views import HomeView


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
