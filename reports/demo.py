"""Demo data of the reports: the 2447 campaign's yearly report is due on 30 November.

Called by ``manage.py seed_demo`` after the nominations' demo (which creates the campaign); idempotent.
"""

from django.utils.translation import gettext as _

from nominations.demo import CAMPAIGN_NAME
from nominations.models import Campaign

from .models import ReportSchedule

# Decision 2447/QĐ-TTg's plan: each level reports on the movement every year by 30 November.
DUE_DAY, DUE_MONTH = 30, 11


def seed(stdout) -> None:
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        return
    schedule, _created = ReportSchedule.objects.get_or_create(
        campaign=campaign,
        defaults={
            "due_day": DUE_DAY,
            "due_month": DUE_MONTH,
            "legal_basis": "Quyết định số 2447/QĐ-TTg ngày 06/11/2025 của Thủ tướng Chính phủ",
        },
    )
    stdout.write(
        _("Yearly report on %(campaign)s due by %(day)02d/%(month)02d")
        % {"campaign": campaign.name, "day": schedule.due_day, "month": schedule.due_month}
    )
