import datetime

from django.urls import reverse
from django.utils import formats, translation

from notifications.models import Notification
from org_hierarchy import services as org_services
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant, make_user


class DelegationNoticeTests(MeritflowTestCase):
    def setUp(self):
        self.head = grant(Role.APPROVER, self.world.danang_police, user=make_user(full_name="Trần Văn Thủ Trưởng"))
        self.deputy = make_user(language="en")

    def test_the_delegate_is_told_who_delegated_what_until_when(self):
        org_services.membership_grant(
            user=self.deputy,
            unit=self.world.danang_police,
            role=Role.APPROVER,
            acting_for=self.head,
            valid_from=datetime.date(2026, 12, 1),
            valid_to=datetime.date(2026, 12, 31),
            actor=self.head,
        )
        notification = Notification.objects.get()
        self.assertEqual(notification.recipient, self.deputy)
        self.assertEqual(notification.event, "membership.delegated")
        self.assertEqual(
            notification.title,
            "Trần Văn Thủ Trưởng delegated to you the role of Approver (head) at Công an Thành phố Đà Nẵng",
        )
        self.assertIn("from 01/12/2026 to 31/12/2026", notification.body)  # day first in English too
        self.assertEqual(notification.url, reverse("profile"))

    def test_vietnamese_delegate_reads_it_in_vietnamese(self):
        deputy = make_user(language="vi")
        org_services.membership_grant(
            user=deputy,
            unit=self.world.danang_police,
            role=Role.APPROVER,
            acting_for=self.head,
            valid_from=datetime.date(2026, 12, 1),
            valid_to=datetime.date(2026, 12, 31),
        )
        notification = Notification.objects.get()
        self.assertEqual(
            notification.title,
            "Trần Văn Thủ Trưởng đã ủy quyền cho bạn giữ vai trò Người ký (thủ trưởng) tại Công an Thành phố Đà Nẵng",
        )
        with translation.override("vi"):
            self.assertIn(
                f"từ ngày {formats.date_format(datetime.date(2026, 12, 1), 'SHORT_DATE_FORMAT')}", notification.body
            )

    def test_an_ordinary_grant_notifies_nobody(self):
        org_services.membership_grant(user=self.deputy, unit=self.world.danang_police, role=Role.APPRAISER)
        self.assertFalse(Notification.objects.exists())
