"""A ready draft of the residential group's, for the everyday-path browser test: a ward chair's Giấy khen with two
nominees and every document the award requires, as the demo's own drafts are made (``nominations.demo``).

Run by the test with ``manage.py shell -c`` against the served demo database; ``speaking_vietnamese`` puts the
accounts the test switched to English back to the demo's language.
"""

from django.contrib.auth import get_user_model

from nominations.demo import _draft, _submitter
from nominations.models import CommendationKind, SubjectType

AWARD = "gk_chu_tich_xa"
NOMINEES = ["Lương Thị Ngọc", "Đinh Công Toàn"]
# The people of the path: the residential group's submitter, the ward's stage and the city's auditor.
PEOPLE = ["tdp12.submitter", "hc.appraiser", "hc.secretary", "hc.approver", "dn.auditor"]


def drafted(title: str) -> None:
    user, unit = _submitter("tdp12.submitter")
    nominees = [
        (SubjectType.INDIVIDUAL, name, {"gender": gender, "position": "Tổ viên", "workplace": unit.name})
        for name, gender in zip(NOMINEES, ("female", "male"), strict=True)
    ]
    assert _draft(actor=user, unit=unit, title=title, award_code=AWARD, kind=CommendationKind.ANNUAL, nominees=nominees)


def speaking_vietnamese() -> None:
    get_user_model().objects.filter(username__in=PEOPLE).update(language="vi")
