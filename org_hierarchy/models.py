"""The organisation tree, its users and the roles they hold per unit."""

import unicodedata

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class Branch(models.TextChoices):
    """The parallel trees a unit can belong to."""

    CIVIL = "civil", _("Civil government")
    SECURITY = "security", _("Public security")
    SECTOR = "sector", _("Ministry or sector")


class Level(models.IntegerChoices):
    """Administrative levels, ordered from the bottom up so they compare with < and >."""

    UNIT = 10, _("Originating unit")
    COMMUNE = 20, _("Commune")
    PROVINCE = 30, _("Province")
    MINISTRY = 40, _("Ministry")
    CENTRAL = 50, _("Central")

    @property
    def slug(self) -> str:
        """Return the lower-case name used in node names and URLs (``commune``, ``province``…)."""
        return self.name.lower()


class Role(models.TextChoices):
    SUBMITTER = "submitter", _("Submitter")
    APPRAISER = "appraiser", _("Appraiser (emulation officer)")
    SECRETARY = "secretary", _("Council secretary")
    APPROVER = "approver", _("Approver (head)")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Unit administrator")


class User(AbstractUser):
    """A person who logs in: officer, approver, auditor or administrator."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username


def folded(text: str) -> str:
    """Return ``text`` without diacritics, case or repeated spaces: "Phường  Hải Châu" gives "phuong hai chau".

    Vietnamese is often typed without its tone marks (and "đ" as "d"); units are searched on this form.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


class OrgUnitQuerySet(MP_NodeQuerySet):
    def subtree_of(self, *prefixes: str):
        """Return the units whose path starts with any of the given paths (one indexed range scan each)."""
        if not prefixes:
            return self.none()
        condition = Q()
        for prefix in prefixes:
            condition |= Q(path__startswith=prefix)
        return self.filter(condition)


class OrgUnitManager(MP_NodeManager.from_queryset(OrgUnitQuerySet)):
    def get_queryset(self):
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")


class OrgUnit(MP_Node):
    """A unit of the tree: a People's Committee, a police unit, a ministry or an originating unit.

    Territorial units carry the official administrative code of the commune or province they serve; the route
    of a dossier is found through those codes, so the civil and public-security trees meet at each locality.
    """

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(
        _("abbreviation"),
        max_length=40,
        blank=True,
        help_text=_("Used in document numbers, e.g. UBND in 15/QĐ-UBND."),
    )
    branch = models.CharField(_("branch"), max_length=20, choices=Branch.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    admin_code = models.CharField(
        _("administrative code"),
        max_length=10,
        blank=True,
        help_text=_("Official code of the province or commune this unit serves; empty for other units."),
    )
    division_type = models.CharField(_("division type"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The name and abbreviation ``folded``, kept by ``save`` and the bulk import: what the unit search matches.
    search_name = models.CharField(_("search name"), max_length=300, blank=True, editable=False)

    node_order_by = []
    objects = OrgUnitManager()
    history = HistoricalRecords(excluded_fields=["numchild", "search_name"])

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "level", "admin_code"],
                condition=~Q(admin_code=""),
                name="orgunit_unique_territorial_code",
            ),
        ]
        indexes = [models.Index(fields=["branch", "level", "admin_code"], name="orgunit_branch_level_code")]
        permissions = [
            ("submit_dossier", _("Can submit dossiers for this unit")),
            ("appraise_dossier", _("Can appraise dossiers at this unit")),
            ("record_council_vote", _("Can record the council vote at this unit")),
            ("sign_dossier", _("Can sign dossiers at this unit")),
            ("audit_unit", _("Can audit this unit and its subtree")),
            ("administer_unit", _("Can administer this unit")),
        ]

    def __str__(self):
        return self.name

    def refresh_search_name(self) -> None:
        self.search_name = folded(f"{self.name} {self.short_name}")

    def save(self, *args, **kwargs):
        self.refresh_search_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "short_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        """Return memberships in force on the given date (today by default) and not revoked."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on, revoked_at__isnull=True)


class Membership(models.Model):
    """A role held by a user at one unit for a period; ``acting_for`` marks a delegation from the head."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_given",
        verbose_name=_("acting for"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["user", "revoked_at"], name="membership_user_revoked")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_period",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.revoked_at is None and self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)
