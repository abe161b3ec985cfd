"""Template context shared by every page of the web shell."""

from functools import partial

from .site import menu_links, site


def shell(request):
    """Give every page the Site and the menu links, so pages outside the Site show the same menu."""
    # A callable: templates call it only when they draw the menu.
    return {"shell_site": site, "shell_links": partial(menu_links, user=request.user)}
