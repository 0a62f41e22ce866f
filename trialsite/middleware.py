import logging
import re
import uuid

from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext

from trialsite.models import Profile


class UserLanguageMiddleware:
    """Activate the language a signed-in user chose, on whatever device she signs in from.

    Runs after AuthenticationMiddleware; LocaleMiddleware has already chosen a
    language from the cookie or browser, which the saved choice overrides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


logger = logging.getLogger("trialsite.errors")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (a proxy's ``X-Request-ID`` when well formed), echo it, log it with errors.

    The friendly error page shows the id, so a user can quote it and the operator find the traceback.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex[:16]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response

    def process_exception(self, request, exception):
        logger.error(
            "Server error on %s %s (request %s)", request.method, request.path, request.request_id,
            exc_info=exception, extra={"request_id": request.request_id},
        )  # fmt: skip


class RejectNulMiddleware:
    """A NUL character in the path or the query string is a 400: no page needs one; PostgreSQL refuses it.

    Form bodies need no such guard: Django's and DRF's character fields refuse NUL with a field error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_query = any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
        if in_query or "\x00" in request.path:
            return HttpResponseBadRequest(gettext("The address contains a NUL character."))
        return self.get_response(request)
