"""Receivers wired in ``apps.py``; each only calls a service."""

from . import services


def close_sockets_on_logout(sender, request, user, **kwargs):
    if user is not None:
        services.sockets_close(user=user)
