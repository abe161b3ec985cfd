from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import PersonalDataAccess
from nominations import services
from nominations.models import (
    Attachment,
    AwardForm,
    AwardType,
    CommendationKind,
    Dossier,
    DossierStatus,
    Nominee,
    SubjectType,
    VoteDenominator,
)
from org_hierarchy.models import Branch, Level, Role
from tests.base import grant, make_user

from .support import EXE_BYTES, NominationsTestCase, award, draft, kind, pdf, ready_dossier, xlsx


class DossierPagesTests(NominationsTestCase):
    def login(self, role, unit, user=None):
        return self.act_as(role, unit, user=user or make_user(language="en"))

    def test_submitter_creates_a_draft_through_the_form(self):
        self.login(Role.SUBMITTER, self.world.residential_group)
        response = self.client.post(
            reverse("nominations:dossier_create"),
            {
                "originating_unit": self.world.residential_group.pk,
                "title": "Khen thưởng năm 2026",
                "kind": CommendationKind.ANNUAL,
                "award_type": award("gk_chu_tich_xa").pk,
                "year": 2026,
            },
        )
        dossier = Dossier.objects.get()
        self.assertRedirects(response, reverse("nominations:dossier_detail", args=[dossier.pk]))
        self.assertEqual(dossier.status, DossierStatus.DRAFT)

    def test_creating_for_a_unit_where_one_is_not_a_submitter_is_refused_with_a_400(self):
        self.login(Role.SUBMITTER, self.world.residential_group)
        response = self.client.post(
            reverse("nominations:dossier_create"),
            {
                "originating_unit": self.world.school.pk,
                "title": "X",
                "kind": CommendationKind.ANNUAL,
                "award_type": award("gk_chu_tich_xa").pk,
                "year": 2026,
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertFalse(Dossier.objects.exists())

    def test_campaign_kind_without_a_campaign_shows_the_error_next_to_the_field(self):
        self.login(Role.SUBMITTER, self.world.residential_group)
        response = self.client.post(
            reverse("nominations:dossier_create"),
            {
                "originating_unit": self.world.residential_group.pk,
                "title": "X",
                "kind": CommendationKind.CAMPAIGN,
                "award_type": award("gk_chu_tich_xa").pk,
                "year": 2026,
            },
        )
        self.assertContains(response, "A campaign or thematic commendation must name its campaign.", status_code=400)

    def test_another_wards_submitter_gets_404_on_a_foreign_dossier(self):
        dossier, _ = draft(self.world.residential_group)
        nominee = dossier.nominees.get()
        self.login(Role.SUBMITTER, self.world.badinh_pc)
        urls = [
            reverse("nominations:dossier_detail", args=[dossier.pk]),
            reverse("nominations:dossier_edit", args=[dossier.pk]),
            reverse("nominations:eligibility", args=[dossier.pk]),
            reverse("nominations:nominee_create", args=[dossier.pk]),
            reverse("nominations:nominee_edit", args=[dossier.pk, nominee.pk]),
            reverse("nominations:national_id", args=[dossier.pk, nominee.pk]),
            reverse("nominations:attachment_create", args=[dossier.pk]),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(urls[1], {"title": "Hijacked"}).status_code, 404)
        self.assertEqual(Dossier.objects.get().title, dossier.title)

    def test_unknown_ids_are_404_not_500(self):
        dossier, _ = draft(self.world.residential_group)
        self.login(Role.SUBMITTER, self.world.residential_group)
        self.assertEqual(self.client.get(reverse("nominations:dossier_detail", args=[999999])).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("nominations:nominee_edit", args=[dossier.pk, 999999])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("nominations:attachment_download", args=[dossier.pk, 999999])).status_code, 404
        )

    def test_a_higher_level_officer_sees_a_submitted_dossier_but_cannot_edit_it(self):
        dossier, submitter = ready_dossier(self.world.residential_group)
        services.dossier_submit(dossier=dossier, actor=submitter)
        self.login(Role.APPRAISER, self.world.haichau_pc)
        self.assertContains(self.client.get(reverse("nominations:dossier_detail", args=[dossier.pk])), dossier.title)
        self.assertEqual(self.client.get(reverse("nominations:dossier_edit", args=[dossier.pk])).status_code, 403)

    def test_drafts_stay_inside_their_unit(self):
        dossier, _ = draft(self.world.residential_group)
        self.login(Role.APPRAISER, self.world.haichau_pc)
        self.assertEqual(self.client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).status_code, 404)

    def test_edit_after_submission_is_refused(self):
        dossier, submitter = ready_dossier(self.world.residential_group)
        services.dossier_submit(dossier=dossier, actor=submitter)
        self.client.force_login(submitter)
        response = self.client.post(
            reverse("nominations:dossier_edit", args=[dossier.pk]),
            {"title": "Changed", "kind": dossier.kind, "award_type": dossier.award_type_id, "year": 2026},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).title, dossier.title)

    def test_a_returned_dossier_cannot_change_to_an_award_of_another_route(self):
        dossier, submitter = ready_dossier(self.world.residential_group, award_code="bk_chu_tich_tinh")
        services.dossier_submit(dossier=dossier, actor=submitter)
        services.dossier_return_for_supplement(
            dossier=dossier,
            actor=grant(Role.APPRAISER, self.world.danang_pc),
            stage_unit=self.world.danang_pc,
            reason="Thiếu biên bản",
        )
        self.client.force_login(submitter)
        response = self.client.post(
            reverse("nominations:dossier_edit", args=[dossier.pk]),
            {"title": "Đổi loại khen", "kind": dossier.kind, "award_type": award("gk_chu_tich_xa").pk, "year": 2026},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Hồ sơ bị trả lại giữ nguyên tuyến trình", status_code=400)
        self.assertContains(response, "Đổi loại khen", status_code=400)
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).award_type.code, "bk_chu_tich_tinh")

    def test_upload_of_a_renamed_executable_is_refused_and_changes_nothing(self):
        dossier, submitter = ready_dossier(self.world.residential_group)
        before = (list(Attachment.objects.values_list("pk", flat=True)), Dossier.objects.get().version_digest)
        self.client.force_login(submitter)
        submitter.language = "en"
        submitter.save()
        response = self.client.post(
            reverse("nominations:attachment_create", args=[dossier.pk]),
            {"kind": kind("achievement_report").pk, "file": pdf("bao-cao.pdf", EXE_BYTES)},
        )
        self.assertContains(response, "This file is not a PDF, JPEG, PNG, DOCX or XLSX document", status_code=400)
        self.assertEqual(
            (list(Attachment.objects.values_list("pk", flat=True)), Dossier.objects.get().version_digest), before
        )

    def test_attachment_downloads_through_the_scoped_view(self):
        dossier, submitter = ready_dossier(self.world.residential_group)
        attachment = dossier.attachments.first()
        self.client.force_login(submitter)
        response = self.client.get(reverse("nominations:attachment_download", args=[dossier.pk, attachment.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), pdf().read())
        self.assertIn(attachment.original_name, response["Content-Disposition"])
        self.login(Role.SUBMITTER, self.world.thanhkhe_pc)
        response = self.client.get(reverse("nominations:attachment_download", args=[dossier.pk, attachment.pk]))
        self.assertEqual(response.status_code, 404)

    def test_nominee_import_shows_the_bad_row_and_imports_nothing(self):
        dossier, submitter = draft(self.world.residential_group, nominees=0)
        self.login(Role.SUBMITTER, self.world.residential_group, user=submitter)
        submitter.language = "en"
        submitter.save()
        rows = [["Trần Thị B", "048123456789", "Nữ", "01/02/1980", "Tổ trưởng"], ["Lê Văn C", "12AB", "Nam", "", ""]]
        response = self.client.post(reverse("nominations:nominee_import", args=[dossier.pk]), {"file": xlsx(rows)})
        self.assertContains(response, 'class="row-error"', count=1, status_code=400)
        self.assertContains(response, "A citizen ID number has exactly 12 digits.", status_code=400)
        self.assertFalse(Nominee.objects.exists())

    def test_full_national_id_is_shown_only_on_request_and_only_to_roles_that_need_it(self):
        dossier, submitter = draft(self.world.residential_group)
        nominee = dossier.nominees.get()
        self.client.force_login(submitter)
        detail = self.client.get(reverse("nominations:dossier_detail", args=[dossier.pk]))
        self.assertNotContains(detail, nominee.national_id)
        self.assertContains(detail, nominee.masked_national_id)
        self.assertContains(
            self.client.get(reverse("nominations:national_id", args=[dossier.pk, nominee.pk])), nominee.national_id
        )
        access = PersonalDataAccess.objects.get()
        self.assertEqual((access.viewer, access.subject_id, access.field), (submitter, str(nominee.pk), "national_id"))
        self.login(Role.ADMIN, self.world.residential_group)
        self.assertEqual(
            self.client.get(reverse("nominations:national_id", args=[dossier.pk, nominee.pk])).status_code, 403
        )


class NomineeAndFilePagesTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group, nominees=0)
        self.submitter.language = "en"
        self.submitter.save()
        self.client.force_login(self.submitter)

    def test_nominee_is_added_and_a_bad_id_is_shown_next_to_its_field(self):
        url = reverse("nominations:nominee_create", args=[self.dossier.pk])
        data = {"subject_type": "individual", "full_name": "Phạm Thị Hoa", "national_id": "12345"}
        response = self.client.post(url, data)
        self.assertContains(response, "A citizen ID number has exactly 12 digits.", status_code=400)
        self.assertFalse(Nominee.objects.exists())
        response = self.client.post(url, {**data, "national_id": "048190001111"})
        self.assertRedirects(response, reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertEqual(Nominee.objects.get().full_name, "Phạm Thị Hoa")

    def test_nominee_is_edited_and_removed(self):
        nominee = services.nominee_add(
            dossier=self.dossier, actor=self.submitter, subject_type="individual", full_name="Phạm Thị Hoa"
        )
        edit = reverse("nominations:nominee_edit", args=[self.dossier.pk, nominee.pk])
        self.assertEqual(self.client.get(edit).status_code, 200)
        self.client.post(edit, {"subject_type": "individual", "full_name": "Phạm Thị Hoà", "position": "Tổ viên"})
        self.assertEqual(Nominee.objects.get().position, "Tổ viên")
        self.client.post(reverse("nominations:nominee_remove", args=[self.dossier.pk, nominee.pk]))
        self.assertFalse(Nominee.objects.exists())

    def test_upload_keeps_only_the_base_name_of_a_path(self):
        response = self.client.post(
            reverse("nominations:attachment_create", args=[self.dossier.pk]),
            {"kind": kind("achievement_report").pk, "file": pdf("../../etc/bao-cao.pdf")},
        )
        self.assertEqual(response.status_code, 302)
        attachment = Attachment.objects.get()
        self.assertEqual(attachment.original_name, "bao-cao.pdf")
        self.assertNotIn("..", attachment.file.name)

    def test_file_is_removed_through_the_confirmation(self):
        attachment = services.attachment_add(
            dossier=self.dossier, actor=self.submitter, kind=kind("achievement_report"), file=pdf()
        )
        url = reverse("nominations:attachment_remove", args=[self.dossier.pk, attachment.pk])
        self.assertContains(self.client.get(url), attachment.original_name)
        self.assertRedirects(self.client.post(url), reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertFalse(Attachment.objects.exists())


class DossierListQueryTests(NominationsTestCase):
    def test_list_queries_do_not_grow_with_the_number_of_dossiers(self):
        submitter = self.act_as(Role.SUBMITTER, self.world.residential_group)
        url = reverse("nominations:dossier_list")
        self.client.get(url)
        counts = []
        for batch in (5, 5):
            for _ in range(batch):
                draft(self.world.residential_group, actor=submitter, nominees=2)
            with self.assertNumQueries(LIST_QUERIES):
                response = self.client.get(url)
            counts.append(response)
        self.assertContains(response, 'class="dossier-row"', count=10)
        self.assertContains(counts[0], 'class="dossier-row"', count=5)

    def test_detail_queries_do_not_grow_with_the_number_of_nominees(self):
        dossier, submitter = ready_dossier(self.world.residential_group, nominees=0)
        self.client.force_login(submitter)
        url = reverse("nominations:dossier_detail", args=[dossier.pk])
        for batch in (4, 4):
            for n in range(batch):
                services.nominee_add(
                    dossier=dossier, actor=submitter, subject_type="individual", full_name=f"Người {n}"
                )
            with self.assertNumQueries(DETAIL_QUERIES):
                response = self.client.get(url)
        self.assertContains(response, 'class="nominee-row"', count=8)
        self.assertContains(response, 'class="attachment-row"', count=2)


# Session, user, memberships (scope), the "may create" check, the paginator's count, the unread-notification
# badge, the page of dossiers with their units, award types and nominee counts, their route stops, the filter's
# campaigns.
LIST_QUERIES = 9


class DossierListFilterTests(NominationsTestCase):
    def test_a_filter_not_understood_is_left_out_with_a_message_and_the_others_apply(self):
        dossier, submitter = draft(self.world.residential_group)
        self.client.force_login(submitter)
        response = self.client.get(reverse("nominations:dossier_list"), {"year": "abc", "status": "draft"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Các bộ lọc sau không hợp lệ nên đã được bỏ qua: Năm.")
        self.assertContains(response, dossier.title)
        response = self.client.get(reverse("nominations:dossier_list"), {"year": "abc", "status": "decided"})
        self.assertNotContains(response, dossier.title)
        self.assertContains(response, 'role="alert"')


class EligibilityPageTests(NominationsTestCase):
    def test_submitter_sees_each_check_with_its_reason_and_the_route_in_vietnamese_by_default(self):
        dossier, submitter = draft(self.world.residential_group, award_code="bk_bo_truong_cong_an")
        self.client.force_login(submitter)
        response = self.client.get(reverse("nominations:eligibility", args=[dossier.pk]))
        self.assertContains(response, "Hồ sơ chưa đáp ứng các điều kiện xét tặng.")
        self.assertContains(response, "Tuyến trình: Công an Phường Hải Châu → Công an Thành phố Đà Nẵng → Bộ Công an.")
        self.assertContains(response, 'class="check-failed"', count=1)
        self.assertNotContains(response, 'name="dossier"')

    def test_an_eligible_draft_offers_submission(self):
        dossier, submitter = ready_dossier(self.world.residential_group)
        submitter.language = "en"
        submitter.save()
        self.client.force_login(submitter)
        response = self.client.get(reverse("nominations:eligibility", args=[dossier.pk]))
        self.assertContains(response, "The dossier passes every check.")
        self.assertNotContains(response, 'class="check-failed"')
        self.assertContains(response, f'action="{reverse("nomination:submit:execute")}"')
        self.assertContains(response, f'name="dossier" value="{dossier.pk}"')


# Session, user, memberships (also answer the submitter and ID-policy checks), the dossier (scoped), nominees,
# attachments, route, decision, the open escalations to a level above, its public posting, the unread-notification
# badge; for a draft's submitter, the eligibility checks that decide whether to show "Submit" (pending nominees,
# required and attached documents, the route's units).
DETAIL_QUERIES = 16


class AwardHistoryImportPageTests(NominationsTestCase):
    def test_only_administrators_open_the_page_and_errors_are_listed_per_row(self):
        self.act_as(Role.SUBMITTER, self.world.school)
        url = reverse("nominations:award_history_import")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.act_as(Role.ADMIN, self.world.danang_pc, user=make_user(language="en"))
        csv = SimpleUploadedFile(
            "lich-su.csv", "name,national_id,year,title\nA,048123456789,2024\nB,048123456780,năm,LĐTT\n".encode()
        )
        response = self.client.post(url, {"file": csv})
        self.assertContains(response, 'class="row-error"', count=2, status_code=400)
        self.assertContains(response, "Each row needs an award code or an award title.", status_code=400)
        self.assertContains(response, "“năm” is not a year.", status_code=400)


class HelpfulDossierFormTests(NominationsTestCase):
    def test_a_submitter_of_one_unit_has_it_chosen_and_only_the_awards_its_route_reaches(self):
        # A sector ministry's award: no unit of that branch serves the residential group.
        services.award_type_save(
            award_type=AwardType(
                code="bk_bo_truong_nganh",
                name_vi="Bằng khen của Bộ trưởng (ngành)",
                form=AwardForm.BANG_KHEN,
                deciding_branch=Branch.SECTOR,
                deciding_level=Level.MINISTRY,
                eligible_subjects=[SubjectType.INDIVIDUAL],
                vote_threshold_pct=50,
                vote_denominator=VoteDenominator.PRESENT_MEMBERS,
                stage_deadlines={"commune": 10, "province": 15, "ministry": 20},
            ),
            actor=None,
        )
        submitter = self.act_as(Role.SUBMITTER, self.world.residential_group)
        response = self.client.get(reverse("nominations:dossier_create"))
        form = response.context["form"]
        self.assertEqual(form.fields["originating_unit"].initial, self.world.residential_group.pk)
        self.assertContains(response, f'<option value="{self.world.residential_group.pk}" selected>', html=False)
        offered = set(form.fields["award_type"].queryset)
        unavailable = {award_type for award_type, _reason in form.unavailable_awards}
        self.assertTrue(offered and unavailable)
        self.assertFalse(offered & unavailable)
        for award_type, reason in form.unavailable_awards:
            self.assertContains(response, reason)
            self.assertNotContains(response, f'<option value="{award_type.pk}"')
        self.assertContains(response, "mf-help")
        # An award not on the route cannot be posted either.
        award_type = next(iter(unavailable))
        response = self.client.post(
            reverse("nominations:dossier_create"),
            {
                "originating_unit": self.world.residential_group.pk,
                "title": "X",
                "kind": CommendationKind.ANNUAL,
                "award_type": award_type.pk,
                "year": 2026,
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Dossier.objects.filter(created_by=submitter).exists())

    def test_a_collectives_position_column_shows_no_stray_comma(self):
        dossier, submitter = draft(self.world.residential_group)
        services.nominee_add(
            dossier=dossier,
            actor=submitter,
            subject_type="collective",
            full_name="Tổ bảo vệ an ninh",
            workplace="Tổ dân phố 12, Phường Hải Châu",
        )
        self.client.force_login(submitter)
        response = self.client.get(reverse("nominations:dossier_detail", args=[dossier.pk]))
        self.assertNotContains(response, ">, Tổ dân phố 12")
