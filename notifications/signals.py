"""Receivers wired in ``apps.py``; each only calls a service."""

from . import services


def close_sockets_on_logout(sender, request, user, **kwargs):
    if user is not None:
        services.sockets_close(user=user)


def send_invitations(sender, *, invitations, **kwargs):
    """E-mail each invited person their link to choose a password (``org_hierarchy.signals.users_invited``)."""
    services.invitations_send(invitations=invitations)


def announce_delegation(sender, *, membership, action, **kwargs):
    """Tell the delegate of a new delegation (``org_hierarchy.signals.membership_changed``, in its transaction)."""
    if action == "delegated":
        services.delegation_announce(membership=membership)
