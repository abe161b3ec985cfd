"""Template context shared by every page of the web shell."""

from .site import site


def shell(request):
    """Give every page the Site, so pages outside it still show the application menu."""
    return {"shell_site": site}
