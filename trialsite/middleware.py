import logging
import re
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from trialsite.accounts import pending_step, saved_language


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
            language = saved_language(user)
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


# Paths a signed-in person can open before finishing the sign-in steps.
OPEN_PATHS = ("/accounts/", "/language/", "/static/", "/healthz", "/sw.js", "/manifest.webmanifest", "/offline/")


class SignInStepsMiddleware:
    """Until a signed-in person has chosen her password and passed her second factor, send her there.

    Runs after django-otp's middleware. Pages redirect to the pending step; session calls to
    the API get 403 (token calls are authenticated by DRF, after this point, and the token
    endpoint asks for the second factor itself).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        step = request.sign_in_pending = pending_step(request)
        if step is None or request.path.startswith(OPEN_PATHS):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Finish signing in (new password, second factor) first.")}, status=403)
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware with the idle timeout renewed at most once a minute.

    A session expires SESSION_COOKIE_AGE after the last request. Renewing it on every request
    (SESSION_SAVE_EVERY_REQUEST) cost a transaction and a row update per request, polls included;
    here a request renews it only when the stored expiry is over a minute old, so the timeout is
    the configured idle time minus at most a minute. A session that changed is saved as always;
    a deleted session (signed out, revoked) is refused on the next request as before.
    """

    RENEW_AFTER = timedelta(minutes=1)

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        stored = getattr(session, "stored_expiry", None)
        if stored is not None and session.accessed:
            renewed = timezone.now() + timedelta(seconds=session.get_expiry_age())
            session.modified = session.modified or renewed - stored >= self.RENEW_AFTER
        return super().process_response(request, response)
