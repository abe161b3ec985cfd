"""Fill a database with national-scale data for the benchmarks: the official tree, users and dossiers in every state.

Everything is written by the real services: the tree by ``divisions_import``, the users and their memberships by
the bulk ``users_import`` (from a generated CSV file), and every dossier by ``dossier_create``, ``nominee_add``,
``attachment_add`` and then the flow's own step services, driven as the task views drive them. The result is the
data real use leaves behind (processes, tasks, field histories, the chained ledger, notifications), at the price of
the services' speed.
"""

import io
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from nominations import services as nomination_services
from nominations.models import AwardType, CommendationKind, Gender, SubjectType
from org_hierarchy.divisions import official_list
from org_hierarchy.models import Branch, Level, OrgUnit, Role
from org_hierarchy.roles import STAGE_ROLES
from org_hierarchy.services import divisions_import, users_import
from workflows import services as flow_services
from workflows.models import StageOutcome

from . import lifecycle
from .copier import Copier, Template, high_water

# Award types of the seeded catalogue (one, two and three stages; both branches) that any subject may receive.
AWARD_CODES = ("gk_chu_tich_xa", "bk_chu_tich_tinh", "gk_giam_doc_cong_an_tinh", "bk_bo_truong_cong_an")
YEARS = (2022, 2023, 2024, 2025, 2026)
# Seats at each province and national unit; the rest of the users sit at communes (submitter and stage officers).
UPPER_ROLES = (*STAGE_ROLES, Role.AUDITOR)
LOCALITY_ROLES = (Role.SUBMITTER, *STAGE_ROLES)

# Copied dossiers are written this many at a time, in one transaction.
COPY_BATCH = 500

# Where the generated dossiers stand, with their share of the total.
STATES = {
    "draft": 15,
    "at_appraisal": 10,
    "at_vote": 8,
    "at_signature": 7,
    "at_next_stage": 8,
    "returned": 7,
    "rejected": 7,
    "withdrawn": 3,
    "decided": 35,
}

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Thu")
GIVEN_NAMES = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam", "Tâm")
SIGN_NOTES = {
    StageOutcome.DECIDE: "",
    StageOutcome.RETURN: "Bổ sung báo cáo thành tích có xác nhận của thủ trưởng đơn vị.",
    StageOutcome.REJECT: "Chưa đủ tiêu chuẩn theo Luật Thi đua, khen thưởng.",
}
POSITIONS = ("Tổ trưởng tổ dân phố", "Cán bộ", "Chiến sĩ", "Phó trưởng Công an", "Giáo viên", "Công chức")


@dataclass
class Locality:
    """A commune with its People's Committee and its police, each with a submitter and the stage officers."""

    units: dict[str, OrgUnit]  # branch -> commune unit


class Command(BaseCommand):
    help = "Generate national-scale data (tree, users, dossiers in every workflow state) for the benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=100_000)
        parser.add_argument("--nominees-per-dossier", type=int, default=10)
        parser.add_argument("--users", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--exact",
            action="store_true",
            help="Write every dossier through the services (slow); by default each kind is copied from one.",
        )

    @lifecycle.no_mail()
    def handle(self, *args, dossiers, nominees_per_dossier, users, seed, exact=False, **options):
        if dossiers < 0 or nominees_per_dossier < 1 or users < 1:
            raise CommandError("Counts must be positive.")
        self.prepare(users=users, nominees_per_dossier=nominees_per_dossier, seed=seed)
        counts = dict.fromkeys(STATES, 0)
        states, weights = zip(*STATES.items(), strict=True)
        # The states are drawn apart from the names, so both paths give the same dossiers the same states.
        draw = random.Random(seed)
        copier = None if exact else Copier()
        self.templates: dict[tuple, Template] = {}
        self.copied_from: dict[int, int] = {}  # copied dossier id -> id of the dossier it copies
        for index in range(dossiers):
            state = states[index] if index < len(states) else draw.choices(states, weights)[0]
            key = self.template_key(index, state)
            if copier is None:
                self.make_dossier(index, state)
            elif key in self.templates:
                self.copy_dossier(copier, self.templates[key], index)
                if len(self.copied_from) % COPY_BATCH == 0:
                    copier.flush()
            else:
                copier.sync()
                marks = high_water()
                dossier = self.make_dossier(index, state)
                self.templates[key] = copier.capture(
                    marks, dossier=dossier, units=self.locality_units(index), seats=self.seats
                )
            counts[state] += 1
            if (index + 1) % 5000 == 0:
                self.stdout.write(f"{index + 1} dossiers")
        if copier is not None:
            copier.sync()
            self.stdout.write(f"{len(self.templates)} dossiers written by the services, {len(self.copied_from)} copied")
        self.stdout.write(", ".join(f"{state} {count}" for state, count in counts.items()))

    @staticmethod
    def template_key(index: int, state: str) -> tuple:
        """What makes two dossiers alike: the award type, the state and, once a vote is held, a dropped nominee."""
        voted = state not in ("draft", "at_appraisal", "withdrawn", "at_vote")
        return index % len(AWARD_CODES), state, voted and index % 5 == 0

    def locality_units(self, index: int) -> dict[str, OrgUnit]:
        """The communes of the ``index``-th dossier's locality and their provinces, keyed as templates know them."""
        units = {}
        for branch, commune in self.localities[index % len(self.localities)].units.items():
            units[f"{branch}-commune"] = commune
            units[f"{branch}-province"] = self.provinces[commune.path[: 2 * OrgUnit.steplen]]
        return units

    def copy_dossier(self, copier: Copier, template: Template, index: int) -> None:
        dossier_id = copier.copy(
            template,
            units=self.locality_units(index),
            seats=self.seats,
            index=index,
            names=[self.person() for _ in range(self.nominees_per_dossier)],
        )
        self.copied_from[dossier_id] = template.dossier_id

    def prepare(self, *, users: int, nominees_per_dossier: int, seed: int) -> None:
        """Import the tree and the users, and load the award types; dossiers can be made after this."""
        self.random = random.Random(seed)
        self.nominees_per_dossier = nominees_per_dossier
        self.serial = 0
        self.import_tree()
        self.import_users(users)
        self.awards = list(AwardType.objects.filter(code__in=AWARD_CODES).prefetch_related("required_documents"))
        if len(self.awards) != len(AWARD_CODES):
            raise CommandError("The seeded award catalogue is missing; run the migrations first.")

    # The organisation -------------------------------------------------------------------------------------------

    def import_tree(self) -> None:
        for report in divisions_import(divisions=official_list()):
            self.stdout.write(f"{report.branch}: {report.created} units created, {report.unchanged} unchanged")

    def person(self) -> str:
        pick = self.random.choice
        return f"{pick(FAMILY_NAMES)} {pick(MIDDLE_NAMES)} {pick(GIVEN_NAMES)}"

    def import_users(self, count: int) -> None:
        """Seat users at the national and provincial units, then at as many localities as the count allows."""
        upper = list(OrgUnit.objects.filter(level__gt=Level.COMMUNE).order_by("path"))
        communes = {
            (unit.branch, unit.admin_code): unit
            for unit in OrgUnit.objects.filter(level=Level.COMMUNE).order_by("path")
        }
        # A locality is a commune code served by both branches; spread them over the provinces round-robin.
        by_province: dict[str, list[str]] = {}
        for (branch, code), unit in communes.items():
            if branch == Branch.CIVIL and (Branch.SECURITY, code) in communes:
                by_province.setdefault(unit.path[: 2 * OrgUnit.steplen], []).append(code)
        spread = [code for row in zip_longest_lists(list(by_province.values())) for code in row]
        wanted = max(1, (count - len(upper) * len(UPPER_ROLES)) // (2 * len(LOCALITY_ROLES)))
        self.provinces = {unit.path: unit for unit in upper if unit.level == Level.PROVINCE}
        self.localities = [
            Locality(units={branch: communes[branch, code] for branch in (Branch.CIVIL, Branch.SECURITY)})
            for code in spread[:wanted]
        ]
        rows = ["username,full_name,email,role,unit_id"]
        self.seats: dict[tuple[int, str], str] = {}
        seats = [(unit, role) for unit in upper for role in UPPER_ROLES]
        seats += [(unit, role) for loc in self.localities for unit in loc.units.values() for role in LOCALITY_ROLES]
        for unit, role in seats:
            self.serial += 1
            username = f"u{self.serial:05d}"
            self.seats[unit.pk, role] = username
            rows.append(f"{username},{self.person()},{username}@example.gov.vn,{role},{unit.pk}")
        file = io.BytesIO("\n".join(rows).encode())
        file.name = "users.csv"
        report = users_import(file=file, actor=None)
        if not report.ok:
            raise CommandError("; ".join(str(error) for error in report.errors[:5]))
        by_name = get_user_model().objects.in_bulk(list(self.seats.values()), field_name="username")
        self.seats = {key: by_name[username] for key, username in self.seats.items()}
        self.stdout.write(f"{report.users_created} users, {report.memberships_created} memberships")

    def officer(self, unit_id: int, role: str):
        return self.seats[unit_id, role]

    # Dossiers ---------------------------------------------------------------------------------------------------

    def make_dossier(self, index: int, state: str):
        dossier, submitter = self.make_draft(index, self.awards[index % len(self.awards)])
        if state != "draft":
            self.advance(dossier, state, submitter=submitter, failing=index % 5 == 0)
        return dossier

    def make_draft(self, index: int, award: AwardType):
        """Open a complete draft (nominees, required documents) at the ``index``-th locality; return it and its
        submitter."""
        locality = self.localities[index % len(self.localities)]
        unit = locality.units[award.deciding_branch]
        submitter = self.officer(unit.pk, Role.SUBMITTER)
        with lifecycle.acting_as(submitter), transaction.atomic():
            dossier = nomination_services.dossier_create(
                actor=submitter,
                originating_unit=unit,
                title=f"Đề nghị {award.name_vi} năm {YEARS[index % len(YEARS)]} ({index + 1})",
                kind=CommendationKind.ANNUAL,
                award_type=award,
                year=YEARS[index % len(YEARS)],
                letter_number=f"{index + 1}/TTr-{unit.short_name}",
            )
            for position in range(self.nominees_per_dossier):
                nomination_services.nominee_add(
                    dossier=dossier,
                    actor=submitter,
                    subject_type=SubjectType.INDIVIDUAL,
                    full_name=self.person(),
                    gender=self.random.choice((Gender.MALE, Gender.FEMALE)),
                    position=self.random.choice(POSITIONS),
                    workplace=unit.name,
                    list_position=position,
                )
            for kind in award.required_documents.all():
                nomination_services.attachment_add(
                    dossier=dossier, actor=submitter, kind=kind, file=lifecycle.pdf(f"{kind.code}.pdf")
                )
        return dossier, submitter

    def advance(self, dossier, state: str, *, submitter, failing: bool) -> None:
        """Take a draft to ``state`` through the flow's steps, as the people of its route would."""
        process = lifecycle.submit(dossier, actor=submitter)
        route = [unit_id for _level, unit_id in process.route]
        steps = [(step, unit_id) for unit_id in route for step in ("appraise", "vote", "sign")]
        last_sign = {"returned": StageOutcome.RETURN, "rejected": StageOutcome.REJECT}.get(state, StageOutcome.DECIDE)
        done = {
            "at_appraisal": 0,
            "withdrawn": 1,
            "at_vote": 1,
            "at_signature": 2,
            # A single-stage dossier has no next stage: it waits for its head's signature instead.
            "at_next_stage": 3 if len(route) > 1 else 2,
        }.get(state, len(steps))
        for step, unit_id in steps[:done]:
            if step == "appraise":
                lifecycle.appraise(process, actor=self.officer(unit_id, Role.APPRAISER))
            elif step == "vote":
                nominees = lifecycle.pending_ids(process)
                # One dossier in five loses its first nominee at the first council vote.
                drop = frozenset(nominees[:1]) if failing and unit_id == route[0] and len(nominees) > 1 else frozenset()
                lifecycle.vote(process, actor=self.officer(unit_id, Role.SECRETARY), failing=drop)
            elif unit_id != route[-1]:
                lifecycle.sign(process, actor=self.officer(unit_id, Role.APPROVER), outcome=StageOutcome.FORWARD)
            else:
                lifecycle.sign(
                    process, actor=self.officer(unit_id, Role.APPROVER), outcome=last_sign, note=SIGN_NOTES[last_sign]
                )
        if state == "withdrawn":
            with lifecycle.acting_as(submitter):
                flow_services.process_withdraw(
                    process=process, actor=submitter, reason="Đơn vị rút hồ sơ để hoàn thiện."
                )


def zip_longest_lists(lists: list[list[str]]):
    """Yield one item of each list per round, so consecutive localities lie in different provinces."""
    for depth in range(max((len(items) for items in lists), default=0)):
        yield [items[depth] for items in lists if depth < len(items)]
