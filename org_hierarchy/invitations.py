"""Invitations: the one-time, expiring link with which an imported officer chooses their first password.

The token is Django's password-reset token under its own salt, so a reset link is no invitation and the reverse;
it is valid for ``PASSWORD_RESET_TIMEOUT`` (``PASSWORD_LINK_DAYS`` in the environment) and only once: it is
computed from the password hash and the last login, which the first use changes.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "org_hierarchy.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user) -> str:
    """Return the absolute address at which ``user`` chooses their password."""
    path = reverse(
        "org_hierarchy:invitation",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": invitation_tokens.make_token(user)},
    )
    return settings.SITE_URL + path
