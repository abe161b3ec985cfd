from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from axes.signals import user_locked_out
        from django.db.models.signals import post_migrate

        from org_hierarchy.signals import login_unlocked, membership_changed, two_factor_reset, users_imported

        from .checks import check_ledger_trigger
        from .events import AuditEvent
        from .receivers import (
            login_locked_out_record,
            login_unlocked_record,
            membership_changed_record,
            two_factor_reset_record,
            users_imported_record,
        )
        from .roles import runtime_role_grant_after_migrate
        from .state_checks import membership_matches_grant
        from .verify import register_state_check

        membership_changed.connect(membership_changed_record, dispatch_uid="audit.membership_changed_record")
        users_imported.connect(users_imported_record, dispatch_uid="audit.users_imported_record")
        user_locked_out.connect(login_locked_out_record, dispatch_uid="audit.login_locked_out_record")
        login_unlocked.connect(login_unlocked_record, dispatch_uid="audit.login_unlocked_record")
        two_factor_reset.connect(two_factor_reset_record, dispatch_uid="audit.two_factor_reset_record")
        register_state_check(AuditEvent.MEMBERSHIP_GRANTED, membership_matches_grant)
        register_state_check(AuditEvent.MEMBERSHIP_DELEGATED, membership_matches_grant)
        checks.register(check_ledger_trigger, checks.Tags.database)
        post_migrate.connect(runtime_role_grant_after_migrate, sender=self, dispatch_uid="audit.runtime_role_grant")
