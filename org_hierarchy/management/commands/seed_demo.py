"""Seed the demo: the organisation's units and users, then each app's own demo data."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _(
        "Create demo units and one demo user per role (idempotent). Each installed app may add its own demo data "
        "in a demo.seed(stdout) function, called in the order of INSTALLED_APPS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=_("Seed even though MERITFLOW_MODE is production (demo users then get no usable password)."),
        )

    def handle(self, *args, allow_production=False, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(_("Refusing to seed demo data in production mode; pass --allow-production to force."))
        for app_config in apps.get_app_configs():
            if module_has_submodule(app_config.module, "demo"):
                try:
                    with transaction.atomic():
                        import_module(f"{app_config.name}.demo").seed(self.stdout)
                except LookupError as exc:
                    # A demo needs data that is not there (e.g. units missing from a hand-built tree).
                    raise CommandError(str(exc)) from exc
        self.stdout.write(_("Log in at %(url)s") % {"url": settings.SITE_URL + reverse("login")})
