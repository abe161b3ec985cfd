from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Send each user one e-mail summarising their digest-mode notifications of the previous day. Run daily."

    def handle(self, *args, **options):
        sent = services.notifications_send_digest()
        self.stdout.write(f"{sent} digest e-mail(s) sent.")
