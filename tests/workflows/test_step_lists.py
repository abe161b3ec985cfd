"""The step lists' filters (campaign, award, unit, deadline) and deadline badges, scoped, at a constant cost."""

import datetime
import re
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from nominations import services as nomination_services
from nominations.models import Campaign, CommendationKind, Dossier, SubjectType
from org_hierarchy.models import Level, Role
from tests.base import grant, make_user
from workflows import calendar, views
from workflows.deadlines import DUE_SOON_WORKING_DAYS
from workflows.flows import NominationFlow
from workflows.selectors import node_url

from .base import FlowTestCase, award_type

ROW = 'class="task-row"'
# session, user, memberships, unread notifications, count, rows, their dossiers, the campaign and award choices
LIST_QUERIES = 9


class StepListTestCase(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.quick_award = award_type(
            "quick_commune_certificate", branch="civil", level=Level.COMMUNE, stage_deadlines={"commune": 1}
        )
        cls.spring, cls.autumn = (
            nomination_services.campaign_save(
                campaign=Campaign(name=name, period_start=datetime.date(2026, 1, 1), launching_unit=w.danang_pc),
                actor=None,
            )
            for name in ("Thi đua mùa xuân", "Thi đua mùa thu")
        )
        cls.school_submitter = grant(Role.SUBMITTER, w.school, user=make_user("school_submitter"))
        cls.appraiser = cls.officers[w.haichau_pc.pk, Role.APPRAISER]

    def add(self, title, award, *, campaign=None, submitter=None, unit=None):
        """Create and submit a dossier through the submit page; return its process."""
        submitter = submitter or self.submitter
        dossier = nomination_services.dossier_create(
            actor=submitter,
            originating_unit=unit or self.world.residential_group,
            title=title,
            kind=CommendationKind.ANNUAL,
            award_type=award,
            year=2026,
            campaign=campaign,
        )
        nomination_services.nominee_add(
            dossier=dossier, actor=submitter, subject_type=SubjectType.INDIVIDUAL, full_name="Trần Thị B"
        )
        self.login(submitter)
        response = self.client.post(node_url(NominationFlow.submit, "execute"), {"dossier": dossier.pk})
        self.assertEqual(response.status_code, 302)
        return NominationFlow.process_class.objects.get(artifact_object_id=dossier.pk)

    def make_overdue(self, process):
        """Let the stage's deadline pass: the working days ran out yesterday."""
        process.stage_deadline = timezone.localdate() - datetime.timedelta(days=1)
        process.save(update_fields=["data"])

    def queue(self, **params):
        self.login(self.appraiser)
        response = self.client.get(reverse("workflows:queue"), params)
        self.assertEqual(response.status_code, 200)
        return response

    def titles(self, response):
        return sorted(row["dossier"].title for row in response.context["rows"])


class FilterTests(StepListTestCase):
    def setUp(self):
        w = self.world
        self.make_overdue(self.add("Hồ sơ xuân quá hạn", self.commune_award, campaign=self.spring))
        self.add("Hồ sơ xuân gấp", self.quick_award, campaign=self.spring)
        self.add("Hồ sơ thu", self.province_award, campaign=self.autumn)
        self.add("Hồ sơ trường", self.commune_award, submitter=self.school_submitter, unit=w.school)

    def test_each_filter_and_their_combination(self):
        everything = ["Hồ sơ thu", "Hồ sơ trường", "Hồ sơ xuân gấp", "Hồ sơ xuân quá hạn"]
        self.assertEqual(self.titles(self.queue()), everything)
        self.assertEqual(self.titles(self.queue(campaign=self.spring.pk)), ["Hồ sơ xuân gấp", "Hồ sơ xuân quá hạn"])
        self.assertEqual(self.titles(self.queue(award_type=self.province_award.pk)), ["Hồ sơ thu"])
        self.assertEqual(self.titles(self.queue(unit=self.world.school.pk)), ["Hồ sơ trường"])
        self.assertEqual(self.titles(self.queue(unit=self.world.haichau_pc.pk)), everything)
        self.assertEqual(self.titles(self.queue(deadline="overdue")), ["Hồ sơ xuân quá hạn"])
        self.assertEqual(self.titles(self.queue(deadline="due_soon")), ["Hồ sơ xuân gấp"])
        self.assertEqual(self.titles(self.queue(deadline="on_time")), ["Hồ sơ thu", "Hồ sơ trường"])
        combined = self.queue(campaign=self.spring.pk, deadline="due_soon", unit=self.world.residential_group.pk)
        self.assertEqual(self.titles(combined), ["Hồ sơ xuân gấp"])
        self.assertEqual(self.titles(self.queue(campaign=self.autumn.pk, deadline="overdue")), [])

    def test_each_row_shows_award_campaign_and_a_worded_deadline_badge(self):
        page = self.queue()
        self.assertContains(page, "Thi đua mùa thu")
        self.assertContains(page, self.province_award.name_vi)
        self.assertContains(page, '<span class="mf-sla mf-sla--overdue">', count=1)
        self.assertContains(page, '<span class="mf-sla mf-sla--due_soon">', count=1)
        self.assertContains(page, '<span class="mf-sla mf-sla--on_time">', count=2)
        # The badge says it in words, in the user's language.
        self.assertContains(page, "Quá hạn</span>", count=1)
        self.assertContains(page, "Sắp đến hạn</span>", count=1)
        self.assertContains(page, "Đúng hạn</span>", count=2)

    def test_the_filters_choices_are_those_of_the_list(self):
        page = self.queue()
        form = page.context["filter_form"]
        self.assertEqual({c.name for c in form.fields["campaign"].queryset}, {"Thi đua mùa xuân", "Thi đua mùa thu"})
        self.assertNotIn(self.ministry_award, form.fields["award_type"].queryset)

    def test_a_unit_outside_the_scope_shows_nothing_and_no_error(self):
        for unit in (self.world.danang_police, self.world.danang_pc, self.world.badinh_pc):
            page = self.queue(unit=unit.pk)
            self.assertNotContains(page, ROW)
            self.assertNotContains(page, 'role="alert"')
            self.assertContains(page, "Không có bước nào khớp với các bộ lọc này.")

    def test_bad_values_give_the_unfiltered_list_with_a_translated_message(self):
        page = self.queue(campaign="mùa xuân", deadline="tomorrow", unit="Hải Châu", award_type="999999")
        self.assertEqual(len(page.context["rows"]), 4)
        self.assertContains(page, 'role="alert"')
        self.assertContains(
            page,
            "Các bộ lọc sau không hợp lệ nên đã được bỏ qua: Phong trào thi đua, Hình thức khen thưởng, Đơn vị, Hạn.",
        )
        self.login(self.appraiser)
        type(self.appraiser).objects.filter(pk=self.appraiser.pk).update(language="en")
        page = self.client.get(reverse("workflows:queue"), {"deadline": "tomorrow", "campaign": self.spring.pk})
        self.assertContains(page, "These filters were not understood and were left out: Deadline.")
        self.assertEqual(self.titles(page), ["Hồ sơ xuân gấp", "Hồ sơ xuân quá hạn"])

    def test_numbers_too_long_to_be_ids_are_bad_values_too(self):
        page = self.queue(unit="9" * 30, campaign="9" * 30)
        self.assertEqual(len(page.context["rows"]), 4)
        self.assertContains(page, "Các bộ lọc sau không hợp lệ nên đã được bỏ qua: Phong trào thi đua, Đơn vị.")

    def test_the_filters_stay_in_the_pagination_links(self):
        with mock.patch.object(views.QueueView, "paginate_by", 1):
            page = self.queue(campaign=self.spring.pk, deadline="")
        self.assertEqual(len(page.context["rows"]), 1)
        links = re.findall(r'href="\?([^"]*page=2)"', page.content.decode())
        self.assertEqual(links, [f"campaign={self.spring.pk}&amp;deadline=&amp;page=2"])
        with mock.patch.object(views.QueueView, "paginate_by", 1):
            second = self.queue(campaign=self.spring.pk, page=2)
        self.assertEqual(len(second.context["rows"]), 1)
        self.assertNotEqual(self.titles(page), self.titles(second))

    def test_my_steps_filter_too(self):
        self.login(self.appraiser)
        for title in ("Hồ sơ thu", "Hồ sơ trường"):
            dossier = Dossier.objects.get(title=title)
            task = self.open_task(NominationFlow.process_class.objects.get(artifact_object_id=dossier.pk))
            self.client.post(node_url(task.flow_task, "assign", task.process_id, task.pk))
        # "My steps" holds the two steps taken and the two waiting at the unit; the filters apply to all of them.
        everything = ["Hồ sơ thu", "Hồ sơ trường", "Hồ sơ xuân gấp", "Hồ sơ xuân quá hạn"]
        self.assertEqual(self.titles(self.client.get(reverse("workflows:inbox"))), everything)
        inbox = self.client.get(reverse("workflows:inbox"), {"award_type": self.province_award.pk})
        self.assertEqual(self.titles(inbox), ["Hồ sơ thu"])
        inbox = self.client.get(reverse("workflows:inbox"), {"unit": self.world.school.pk})
        self.assertEqual(self.titles(inbox), ["Hồ sơ trường"])
        # The choices are those of the list: an award no step of the list has is not understood.
        inbox = self.client.get(reverse("workflows:inbox"), {"award_type": 999999})
        self.assertEqual(self.titles(inbox), everything)
        self.assertContains(inbox, 'role="alert"')


class DueSoonTests(StepListTestCase):
    def test_due_soon_ends_a_fixed_number_of_working_days_ahead(self):
        process = self.add("Hồ sơ biên", self.commune_award)
        today = timezone.localdate()
        process.stage_deadline = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
        process.save(update_fields=["data"])
        self.assertEqual(self.titles(self.queue(deadline="due_soon")), ["Hồ sơ biên"])
        process.stage_deadline = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS + 1)
        process.save(update_fields=["data"])
        self.assertEqual(self.titles(self.queue(deadline="on_time")), ["Hồ sơ biên"])
        process.stage_deadline = today
        process.save(update_fields=["data"])
        # The deadline day counts in full: not overdue yet.
        self.assertEqual(self.titles(self.queue(deadline="due_soon")), ["Hồ sơ biên"])


class ListQueryCountTests(StepListTestCase):
    def add_batch(self, start, count):
        for index in range(start, start + count):
            campaign = self.spring if index % 2 else self.autumn
            process = self.add(f"Hồ sơ {index:02d}", self.commune_award, campaign=campaign)
            if index % 3 == 0:
                self.make_overdue(process)

    def test_filtered_lists_cost_the_same_at_n_and_2n_rows(self):
        for start, count in ((0, 6), (6, 6)):
            self.add_batch(start, count)
            total = start + count
            self.login(self.appraiser)
            with self.assertNumQueries(LIST_QUERIES):
                page = self.client.get(reverse("workflows:queue"))
            self.assertContains(page, ROW, count=total)
            with self.assertNumQueries(LIST_QUERIES):
                page = self.client.get(reverse("workflows:queue"), {"deadline": "overdue", "award_type": ""})
            self.assertContains(page, ROW, count=total // 3)
            # a chosen campaign is checked (one query) and a chosen unit is looked up in the scope (one more)
            with self.assertNumQueries(LIST_QUERIES + 2):
                page = self.client.get(
                    reverse("workflows:queue"), {"campaign": self.spring.pk, "unit": self.world.haichau_pc.pk}
                )
            self.assertContains(page, ROW, count=total // 2)
            self.assertContains(page, "Thi đua mùa xuân")
