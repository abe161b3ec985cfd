"""Scoping on the full national tree: who sees which units, and at what cost."""

from django.contrib.auth import get_user_model
from django.test import TestCase

from org_hierarchy.divisions import official_list
from org_hierarchy.models import Branch, Level, OrgUnit, Role
from org_hierarchy.selectors import holds_role, seats_of, units_in_scope
from org_hierarchy.services import divisions_import, orgunit_create
from tests.base import grant

# One query reads the user's memberships (cached on the user object), one reads the units.
SCOPE_QUERIES = 2


def unit(branch, level, code="") -> OrgUnit:
    return OrgUnit.objects.get(branch=branch, level=level, admin_code=code)


class ScopeOnNationalTreeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        divisions_import(divisions=official_list())
        cls.haichau = unit(Branch.CIVIL, Level.COMMUNE, "20242")
        cls.thanhkhe = unit(Branch.CIVIL, Level.COMMUNE, "20209")
        cls.danang = unit(Branch.CIVIL, Level.PROVINCE, "48")
        cls.hanoi = unit(Branch.CIVIL, Level.PROVINCE, "1")
        cls.mps = OrgUnit.objects.get(branch=Branch.SECURITY, level=Level.MINISTRY)
        cls.school = orgunit_create(parent=cls.haichau, name="Trường THCS Nguyễn Huệ", level=Level.UNIT)
        cls.neighbour_group = orgunit_create(parent=cls.thanhkhe, name="Tổ dân phố 3", level=Level.UNIT)
        cls.ward_member = grant(Role.APPRAISER, cls.haichau)
        cls.provincial_auditor = grant(Role.AUDITOR, cls.danang)
        cls.ministry_member = grant(Role.APPROVER, cls.mps)

    def fresh(self, user):
        """Return the user as a new request would load it (no cached memberships)."""
        return get_user_model().objects.get(pk=user.pk)

    def test_ward_member_sees_their_ward_and_its_units_only(self):
        scope = set(units_in_scope(user=self.fresh(self.ward_member)))
        self.assertEqual(scope, {self.haichau, self.school})
        self.assertNotIn(self.thanhkhe, scope)
        self.assertNotIn(self.neighbour_group, scope)
        self.assertNotIn(self.danang, scope)

    def test_provincial_auditor_sees_the_whole_province_and_nothing_else(self):
        scope = units_in_scope(user=self.fresh(self.provincial_auditor))
        self.assertEqual(scope.count(), 1 + 94 + 2)
        self.assertTrue({self.danang, self.haichau, self.thanhkhe, self.school, self.neighbour_group} <= set(scope))
        self.assertFalse(scope.filter(path__startswith=self.hanoi.path).exists())
        self.assertFalse(scope.exclude(branch=Branch.CIVIL).exists())
        self.assertFalse(scope.filter(level__gt=Level.PROVINCE).exists())

    def test_ministry_member_sees_the_whole_security_branch(self):
        scope = units_in_scope(user=self.fresh(self.ministry_member))
        self.assertEqual(scope.count(), 1 + 34 + 3321)
        self.assertEqual(set(scope.values_list("branch", flat=True).distinct()), {Branch.SECURITY})

    def test_roles_narrow_the_scope(self):
        user = self.fresh(self.provincial_auditor)
        grant(Role.SUBMITTER, self.school, user=user)
        user = self.fresh(user)
        self.assertEqual(set(units_in_scope(user=user, roles=[Role.SUBMITTER])), {self.school})
        self.assertEqual(units_in_scope(user=user, roles=[Role.APPROVER]).count(), 0)
        self.assertTrue(holds_role(user=user, unit_id=self.danang.pk, role=Role.AUDITOR))
        self.assertFalse(holds_role(user=user, unit_id=self.haichau.pk, role=Role.AUDITOR))

    def test_scope_query_count_does_not_depend_on_the_level(self):
        for level, member, expected in (
            ("ward", self.ward_member, 2),
            ("province", self.provincial_auditor, 1 + 94 + 2),
            ("ministry", self.ministry_member, 1 + 34 + 3321),
        ):
            user = self.fresh(member)
            with self.subTest(level=level), self.assertNumQueries(SCOPE_QUERIES):
                self.assertEqual(len(list(units_in_scope(user=user))), expected)

    def test_scope_is_one_subtree_query_usable_as_a_subquery(self):
        user = self.fresh(self.provincial_auditor)
        seats_of(user)
        with self.assertNumQueries(1):
            count = OrgUnit.objects.filter(pk__in=units_in_scope(user=user).values("pk"), level=Level.COMMUNE).count()
        self.assertEqual(count, 94)

    def test_someone_without_membership_sees_nothing(self):
        outsider = grant(Role.SUBMITTER, self.school)
        outsider.memberships.update(valid_to="2020-01-01", valid_from="2019-01-01")
        outsider = self.fresh(outsider)
        with self.assertNumQueries(1):
            self.assertEqual(list(units_in_scope(user=outsider)), [])
