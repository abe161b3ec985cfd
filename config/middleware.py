"""Request middleware of the web shell."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def chosen_language(request) -> str:
    """Return the language the person chose: their saved preference, else this browser's choice, else the default."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in LANGUAGE_CODES:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in LANGUAGE_CODES:
        return cookie
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activate the chosen language for the request.

    Unlike Django's ``LocaleMiddleware`` this never follows the browser's Accept-Language header: the product
    speaks Vietnamese until the person picks another language with the switch, and a signed-in person's choice is
    stored on their account (their e-mails use it too), so it follows them from one browser to the next.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
