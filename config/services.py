"""State changes made by the web shell itself."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

UNKNOWN_LANGUAGE = _("This language is not available.")


@transaction.atomic
def user_language_set(*, user, language: str) -> None:
    """Save the person's interface language, which is also the language of the e-mails they receive."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(UNKNOWN_LANGUAGE, code="unknown_language")
    if user.language == language:
        return
    user.language = language
    user._change_reason = "Interface language changed"
    user.save(update_fields=["language"])
