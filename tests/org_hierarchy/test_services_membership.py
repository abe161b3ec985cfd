"""Membership services keep guardian's object permissions in step with who holds which role, and when."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from audit.events import AuditEvent
from audit.models import LedgerEntry
from org_hierarchy import services
from org_hierarchy.models import Level, Membership, Role
from org_hierarchy.roles import permission_for
from org_hierarchy.selectors import seats_of, units_in_scope
from org_hierarchy.services import role_group_name
from tests.base import MeritflowTestCase, make_user

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)
SIGN = permission_for(Role.APPROVER)


def reload(user):
    """Return the user as the next request sees it (no permission or membership caches)."""
    return get_user_model().objects.get(pk=user.pk)


class MembershipGrantTests(MeritflowTestCase):
    def setUp(self):
        self.enterContext(translation.override("en"))

    def test_grant_gives_the_role_permission_on_that_unit_only(self):
        user = make_user()
        membership = services.membership_grant(user=user, unit=self.world.danang_pc, role=Role.APPROVER)
        user = reload(user)
        self.assertTrue(user.has_perm(SIGN, self.world.danang_pc))
        self.assertFalse(user.has_perm(SIGN, self.world.hanoi_pc))
        self.assertFalse(user.has_perm(permission_for(Role.APPRAISER), self.world.danang_pc))
        self.assertTrue(user.groups.filter(name=role_group_name(unit_id=self.world.danang_pc.pk, role=Role.APPROVER)))
        self.assertEqual(membership.history.get().history_change_reason, "granted")
        entry = LedgerEntry.objects.get(event=AuditEvent.MEMBERSHIP_GRANTED, subject_id=str(membership.pk))
        self.assertEqual(entry.unit, self.world.danang_pc)

    def test_one_group_per_unit_and_role_is_shared(self):
        first, second = make_user(), make_user()
        services.membership_grant(user=first, unit=self.world.haichau_pc, role=Role.APPRAISER)
        services.membership_grant(user=second, unit=self.world.haichau_pc, role=Role.APPRAISER)
        group = services.role_group(unit=self.world.haichau_pc, role=Role.APPRAISER)
        self.assertEqual(set(group.user_set.all()), {first, second})

    def test_delegation_needs_an_end_date_and_another_person(self):
        head, deputy = make_user(), make_user()
        with self.assertRaisesMessage(ValidationError, "A delegation needs an end date."):
            services.membership_grant(user=deputy, unit=self.world.danang_pc, role=Role.APPROVER, acting_for=head)
        with self.assertRaisesMessage(ValidationError, "A person cannot act for themselves."):
            services.membership_grant(
                user=head, unit=self.world.danang_pc, role=Role.APPROVER, acting_for=head, valid_to=TOMORROW
            )
        self.assertFalse(Membership.objects.filter(user__in=[head, deputy]).exists())
        delegation = services.membership_grant(
            user=deputy, unit=self.world.danang_pc, role=Role.APPROVER, acting_for=head, valid_to=TOMORROW
        )
        self.assertTrue(reload(deputy).has_perm(SIGN, self.world.danang_pc))
        self.assertTrue(
            LedgerEntry.objects.filter(
                event=AuditEvent.MEMBERSHIP_DELEGATED, subject_id=str(delegation.pk), acting_for=head
            ).exists()
        )

    def test_a_membership_outside_its_dates_grants_nothing(self):
        past, future = make_user(), make_user()
        services.membership_grant(
            user=past,
            unit=self.world.haichau_pc,
            role=Role.APPROVER,
            valid_from=TODAY - datetime.timedelta(days=30),
            valid_to=YESTERDAY,
        )
        services.membership_grant(user=future, unit=self.world.haichau_pc, role=Role.APPROVER, valid_from=TOMORROW)
        for user in (past, future):
            user = reload(user)
            self.assertEqual(seats_of(user), ())
            self.assertFalse(user.has_perm(SIGN, self.world.haichau_pc))
            self.assertFalse(units_in_scope(user=user).exists())

    def test_orgunit_create_adds_a_child_in_the_parent_branch_with_history(self):
        unit = services.orgunit_create(parent=self.world.haichau_pc, name="Tổ dân phố 7", level=Level.UNIT)
        self.assertEqual(unit.branch, self.world.haichau_pc.branch)
        self.assertTrue(unit.path.startswith(self.world.haichau_pc.path))
        self.assertEqual(unit.history.get().history_change_reason, "created")
        with self.assertRaisesMessage(ValidationError, "A unit cannot rank above the unit it belongs to."):
            services.orgunit_create(parent=self.world.haichau_pc, name="Sở X", level=Level.PROVINCE)


class MembershipEndRevokeTests(MeritflowTestCase):
    def setUp(self):
        self.user = make_user()
        self.membership = services.membership_grant(
            user=self.user,
            unit=self.world.danang_police,
            role=Role.APPROVER,
            valid_from=TODAY - datetime.timedelta(days=10),
        )
        self.assertTrue(reload(self.user).has_perm(SIGN, self.world.danang_police))

    def test_end_removes_the_permission_at_once(self):
        self.assertEqual(len(seats_of(reload(self.user))), 1)
        admin = make_user()
        services.membership_end(membership=self.membership, actor=admin)
        user = reload(self.user)
        self.assertFalse(user.has_perm(SIGN, self.world.danang_police))
        self.assertEqual(seats_of(user), ())
        self.membership.refresh_from_db()
        self.assertEqual(self.membership.valid_to, YESTERDAY)
        self.assertEqual(self.membership.history.latest().history_user, admin)
        self.assertTrue(
            LedgerEntry.objects.filter(
                event=AuditEvent.MEMBERSHIP_ENDED, subject_id=str(self.membership.pk), actor=admin
            ).exists()
        )

    def test_revoke_removes_the_permission_at_once_and_keeps_the_record(self):
        admin = make_user()
        services.membership_revoke(membership=self.membership, actor=admin, reason="Chuyển công tác")
        self.assertFalse(reload(self.user).has_perm(SIGN, self.world.danang_police))
        self.membership.refresh_from_db()
        self.assertEqual(self.membership.revoked_by, admin)
        self.assertIn("Chuyển công tác", self.membership.note)
        entry = LedgerEntry.objects.get(event=AuditEvent.MEMBERSHIP_REVOKED, subject_id=str(self.membership.pk))
        self.assertEqual(entry.reason, "Chuyển công tác")

    def test_the_permission_stays_while_another_membership_holds_the_same_role(self):
        services.membership_grant(user=self.user, unit=self.world.danang_police, role=Role.APPROVER)
        services.membership_revoke(membership=self.membership)
        self.assertTrue(reload(self.user).has_perm(SIGN, self.world.danang_police))

    def test_sync_due_follows_the_calendar(self):
        starting = services.membership_grant(
            user=self.user, unit=self.world.haichau_police, role=Role.APPRAISER, valid_from=TOMORROW
        )
        self.assertFalse(reload(self.user).has_perm(permission_for(Role.APPRAISER), self.world.haichau_police))
        # Time passes: one membership expires and the other starts, without any service being called.
        Membership.objects.filter(pk=self.membership.pk).update(valid_to=YESTERDAY)
        Membership.objects.filter(pk=starting.pk).update(valid_from=TODAY)
        self.assertTrue(reload(self.user).has_perm(SIGN, self.world.danang_police))

        self.assertEqual(services.memberships_sync_due(), 1)

        user = reload(self.user)
        self.assertFalse(user.has_perm(SIGN, self.world.danang_police))
        self.assertTrue(user.has_perm(permission_for(Role.APPRAISER), self.world.haichau_police))

    def test_ending_a_membership_that_started_today_withdraws_it(self):
        today = services.membership_grant(user=make_user(), unit=self.world.danang_police, role=Role.APPROVER)
        services.membership_end(membership=today)
        today.refresh_from_db()
        self.assertIsNotNone(today.revoked_at)
        self.assertFalse(reload(today.user).has_perm(SIGN, self.world.danang_police))
