from django.contrib.staticfiles import finders
from django.urls import reverse

from notifications import services
from notifications.models import EmailMode, Notification, NotificationPreference
from notifications.views import ALL_READ_MESSAGE
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, make_user

LIST_URL = reverse("notifications:list")
PREFERENCES_URL = reverse("notifications:preferences")
# session, user, the paginator's count, the page of notifications, the shell's memberships, the badge's count
LIST_QUERIES = 6


def notify(user, count=1, **fields):
    fields.setdefault("event", "stage.received")
    fields.setdefault("title", "Hồ sơ chờ thẩm định")
    for _ in range(count):
        services.notify(recipients=[user], **fields)


class NotificationListTests(MeritflowTestCase):
    def setUp(self):
        self.user = self.act_as(Role.APPRAISER, self.world.danang_police)

    def test_page_queries_do_not_grow(self):
        other = make_user()
        notify(other, 3)
        for batch in (5, 10):
            notify(self.user, batch - Notification.objects.filter(recipient=self.user).count())
            with self.assertNumQueries(LIST_QUERIES):
                response = self.client.get(LIST_URL)
            self.assertContains(response, 'class="mf-notification mf-notification--unread"', count=batch)
            self.assertContains(response, f"data-mf-notification-count>{batch}</span>")

    def test_pages_carry_the_badge_and_its_live_module(self):
        notify(self.user, 2)
        response = self.client.get(reverse("profile"))
        self.assertContains(response, f'href="{PREFERENCES_URL}"')
        self.assertContains(response, f'data-mf-notification-badge data-user="{self.user.pk}"')
        self.assertContains(response, 'data-socket-path="/ws/notifications/"')
        self.assertContains(response, "data-mf-notification-count>2</span>")
        self.assertContains(response, 'role="status" aria-live="polite" data-mf-notification-toasts')
        self.assertContains(response, "notifications/notifications.js")
        for asset in ("notifications/notifications.js", "notifications/notifications.css"):
            self.assertIsNotNone(finders.find(asset), asset)

    def test_shows_only_own_notifications(self):
        notify(make_user(), title="Not for you")
        notify(self.user, title="For you")
        response = self.client.get(LIST_URL)
        self.assertContains(response, "For you")
        self.assertNotContains(response, "Not for you")

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        response = self.client.get(LIST_URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response.url)


class NotificationOpenTests(MeritflowTestCase):
    def setUp(self):
        self.user = self.act_as(Role.APPRAISER, self.world.danang_police)

    def test_open_marks_read_and_follows_the_link(self):
        [notification] = services.notify(recipients=[self.user], event="e", title="t", url="/dossiers/7/")
        response = self.client.get(reverse("notifications:open", args=[notification.pk]))
        self.assertRedirects(response, "/dossiers/7/", fetch_redirect_response=False)
        notification.refresh_from_db()
        self.assertIsNotNone(notification.read_at)

    def test_link_to_another_site_is_not_followed(self):
        [notification] = services.notify(recipients=[self.user], event="e", title="t", url="https://evil.example/")
        response = self.client.get(reverse("notifications:open", args=[notification.pk]))
        self.assertRedirects(response, LIST_URL, fetch_redirect_response=False)

    def test_another_users_notification_is_404_and_stays_unread(self):
        [foreign] = services.notify(recipients=[make_user()], event="e", title="t", url="/dossiers/7/")
        response = self.client.get(reverse("notifications:open", args=[foreign.pk]))
        self.assertEqual(response.status_code, 404)
        foreign.refresh_from_db()
        self.assertIsNone(foreign.read_at)

    def test_unknown_id_is_404(self):
        self.assertEqual(self.client.get(reverse("notifications:open", args=[987654])).status_code, 404)

    def test_mark_all_read_touches_only_own(self):
        notify(self.user, 3)
        other = make_user()
        notify(other, 2)
        response = self.client.post(reverse("notifications:read_all"), follow=True)
        self.assertContains(response, ALL_READ_MESSAGE)
        self.assertFalse(Notification.objects.filter(recipient=self.user, read_at__isnull=True).exists())
        self.assertEqual(Notification.objects.filter(recipient=other, read_at__isnull=True).count(), 2)

    def test_mark_all_read_refuses_get(self):
        notify(self.user)
        self.assertEqual(self.client.get(reverse("notifications:read_all")).status_code, 405)
        self.assertTrue(Notification.objects.filter(read_at__isnull=True).exists())


class PreferencesViewTests(MeritflowTestCase):
    def setUp(self):
        self.user = self.act_as(Role.APPRAISER, self.world.danang_police)

    def test_default_and_per_event_modes_are_saved_with_history(self):
        notify(self.user, event="stage.received")
        response = self.client.post(
            PREFERENCES_URL, {"default": EmailMode.DIGEST, "event:stage.received": EmailMode.OFF}
        )
        self.assertRedirects(response, PREFERENCES_URL)
        rules = dict(NotificationPreference.objects.filter(user=self.user).values_list("event", "email_mode"))
        self.assertEqual(rules, {"": EmailMode.DIGEST, "stage.received": EmailMode.OFF})
        history = NotificationPreference.history.filter(user=self.user).first()
        self.assertEqual(history.history_user, self.user)
        self.assertEqual(history.history_change_reason, services.PREFERENCE_CHANGE_REASON)

    def test_following_the_default_again_removes_the_event_rule(self):
        services.preference_set(user=self.user, event="stage.received", email_mode=EmailMode.OFF)
        self.client.post(PREFERENCES_URL, {"default": EmailMode.IMMEDIATE, "event:stage.received": ""})
        self.assertFalse(NotificationPreference.objects.filter(user=self.user, event="stage.received").exists())

    def test_form_shows_current_choices(self):
        services.preference_set(user=self.user, email_mode=EmailMode.OFF)
        response = self.client.get(PREFERENCES_URL)
        self.assertContains(response, '<option value="off" selected>')

    def test_bad_mode_is_a_form_error_and_changes_nothing(self):
        services.preference_set(user=self.user, email_mode=EmailMode.DIGEST)
        response = self.client.post(PREFERENCES_URL, {"default": "sometimes"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Hãy chọn một lựa chọn hợp lệ", status_code=400)
        self.assertEqual(NotificationPreference.objects.get(user=self.user).email_mode, EmailMode.DIGEST)


class AdminTests(MeritflowTestCase):
    def test_admin_lists_notifications_and_preference_history(self):
        admin_user = make_user(is_staff=True, is_superuser=True)
        recipient = make_user()
        notify(recipient, title="Hồ sơ 5")
        preference = services.preference_set(user=recipient, email_mode=EmailMode.DIGEST)
        self.client.force_login(admin_user)
        self.assertContains(self.client.get(reverse("admin:notifications_notification_changelist")), "Hồ sơ 5")
        history = self.client.get(reverse("admin:notifications_notificationpreference_history", args=[preference.pk]))
        self.assertEqual(history.status_code, 200)
