"""Notification kinds the notifications app sends by itself, from other apps' signals."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    # Same name as the ledger event of a delegation, so a user's rule for it reads the same everywhere.
    MEMBERSHIP_DELEGATED = "membership.delegated", _("Authority delegated to you")
