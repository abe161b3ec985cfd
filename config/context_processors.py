"""Template context shared by every page of the web shell."""

from .site import MENU_LINKS, site


def shell(request):
    """Give every page the Site and the menu links, so pages outside the Site show the same menu."""
    return {"shell_site": site, "shell_links": MENU_LINKS}
