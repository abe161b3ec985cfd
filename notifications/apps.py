from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.utils.translation import gettext_lazy as _

from org_hierarchy.signals import membership_changed, users_invited

from . import kinds
from .events import NotificationKind


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Imported here: the receivers reach the models, which exist only once the app registry is ready.
        from . import signals

        kinds.register(NotificationKind)
        user_logged_out.connect(signals.close_sockets_on_logout, dispatch_uid="notifications.close_sockets_on_logout")
        membership_changed.connect(signals.announce_delegation, dispatch_uid="notifications.announce_delegation")
        users_invited.connect(signals.send_invitations, dispatch_uid="notifications.send_invitations")
