"""What every API view shares: the caller's language from ``Accept-Language`` (vi or en)."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def accepted_language(header: str) -> str | None:
    """Return the first of our languages the header names (``en-US`` counts as ``en``), else None."""
    for code, _quality in translation.trans_real.parse_accept_lang_header(header or ""):
        base = code.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return None


# No docstring on the shared classes: drf-spectacular would take it as every operation's description.
class ApiViewMixin:
    # Answer in the language of ``Accept-Language`` when it names one of ours, else the page language.

    def initial(self, request, *args, **kwargs):
        language = accepted_language(request.headers.get("Accept-Language", ""))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ["Accept-Language"])
        return response
