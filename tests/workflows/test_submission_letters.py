"""A forwarding stage's submission letter gets the next registered number of its issuer; nobody types it."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.test import override_settings
from django.utils import timezone

from nominations import services as nomination_services
from nominations.models import SubmissionLetter
from org_hierarchy.models import Role
from tests.base import CommittingTestCase
from tests.world import build_world
from workflows.models import StageOutcome

from .base import FlowActions, FlowTestCase, populate


class SubmissionLetterPageTests(FlowTestCase):
    def ready_to_sign(self, award, title="Khen thưởng tổ dân phố 12"):
        dossier = self.make_dossier(award, title=title)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        return dossier, process

    def sign_page(self, process, unit):
        self.login(self.officer(unit, Role.APPROVER))
        response = self.client.get(self.execute_url(self.open_task(process)))
        self.assertEqual(response.status_code, 200)
        return response

    def test_forwarding_registers_the_next_number_of_the_stage_and_the_next_stage_reads_it(self):
        year = timezone.localdate().year
        first, first_process = self.ready_to_sign(self.province_award, "Hồ sơ thứ nhất")
        second, second_process = self.ready_to_sign(self.province_award, "Hồ sơ thứ hai")
        page = self.sign_page(first_process, self.world.haichau_pc)
        self.assertNotContains(page, 'name="letter_number"')
        # A typed number is ignored: the register gives it.
        self.sign(first_process, self.world.haichau_pc, StageOutcome.FORWARD)
        self.sign(second_process, self.world.haichau_pc, StageOutcome.FORWARD)
        letters = SubmissionLetter.objects.filter(issuer_unit=self.world.haichau_pc, year=year).order_by("number")
        self.assertEqual(
            [(letter.dossier_id, letter.number_display) for letter in letters],
            [
                (first.pk, "01/TTr-UBND"),
                (second.pk, "02/TTr-UBND"),
            ],
        )
        self.assertEqual(letters[0].recipient_unit, self.world.danang_pc)
        self.assertEqual(letters[0].signer, self.officer(self.world.haichau_pc, Role.APPROVER))
        self.assertEqual(letters[0].history.count(), 1)
        self.login(self.officer(self.world.danang_pc, Role.APPRAISER))
        page = self.client.get(self.execute_url(self.open_task(second_process)))
        self.assertContains(page, "Tờ trình 02/TTr-UBND")

    def test_the_deciding_level_is_never_asked_for_a_letter_and_registers_none(self):
        _dossier, process = self.ready_to_sign(self.commune_award)
        page = self.sign_page(process, self.world.haichau_pc)
        self.assertNotContains(page, 'name="letter_number"')
        self.assertNotContains(page, "tờ trình")
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        self.assertFalse(SubmissionLetter.objects.exists())

    def test_letters_and_decisions_keep_separate_series(self):
        _decided, decided_process = self.ready_to_sign(self.commune_award, "Quyết định trước")
        self.sign(decided_process, self.world.haichau_pc, StageOutcome.DECIDE)
        _forwarded, forwarded_process = self.ready_to_sign(self.province_award, "Tờ trình sau")
        self.sign(forwarded_process, self.world.haichau_pc, StageOutcome.FORWARD)
        self.assertEqual(SubmissionLetter.objects.get().number, 1)

    def test_only_the_head_of_a_forwarding_stage_registers_a_letter(self):
        dossier, _process = self.ready_to_sign(self.province_award)
        w = self.world
        with self.assertRaises(PermissionDenied):
            nomination_services.submission_letter_register(
                dossier=dossier,
                issuer_unit=w.haichau_pc,
                recipient_unit=w.danang_pc,
                signer=self.officer(w.haichau_pc, Role.APPRAISER),
            )
        with self.assertRaises(ValidationError):
            nomination_services.submission_letter_register(
                dossier=dossier,
                issuer_unit=w.danang_pc,
                recipient_unit=w.haichau_pc,
                signer=self.officer(w.danang_pc, Role.APPROVER),
            )
        self.assertFalse(SubmissionLetter.objects.exists())


@pytest.mark.postgres
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ConcurrentLetterTests(FlowActions, CommittingTestCase):
    THREADS = 20

    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("needs PostgreSQL row locks")
        self.world = build_world()
        populate(self)

    def test_concurrent_letters_of_one_issuer_get_distinct_consecutive_numbers(self):
        w = self.world
        head = self.officer(w.haichau_pc, Role.APPROVER)
        dossiers = []
        for n in range(self.THREADS):
            dossier = self.make_dossier(self.province_award, nominees=1, title=f"Hồ sơ {n:02d}")
            self.submit(dossier)
            dossiers.append(dossier)
        barrier = threading.Barrier(self.THREADS)
        errors = []

        def register(dossier):
            try:
                barrier.wait()
                nomination_services.submission_letter_register(
                    dossier=dossier, issuer_unit=w.haichau_pc, recipient_unit=w.danang_pc, signer=head
                )
            except Exception as exc:  # the test asserts no thread failed
                errors.append(exc)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=register, args=(dossier,)) for dossier in dossiers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        self.assertEqual(errors, [])
        numbers = sorted(SubmissionLetter.objects.filter(issuer_unit=w.haichau_pc).values_list("number", flat=True))
        self.assertEqual(numbers, list(range(1, self.THREADS + 1)))
