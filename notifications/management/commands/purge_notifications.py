import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import services


class Command(BaseCommand):
    help = "Delete read notifications older than the given number of days (unread ones are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365, help="Keep read notifications this many days (365).")

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = services.notifications_purge(before=timezone.now() - datetime.timedelta(days=days))
        self.stdout.write(f"{deleted} notification(s) deleted.")
