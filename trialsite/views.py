from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trialsite import audit, auditchain, tokens
from trialsite.decorators import capability_required
from trialsite.models import Profile
from trialsite.roles import Capability


def server_error(request):
    """The 500 page: an apology and the request id to quote (no database, no user: either may be the fault)."""
    context = {"request_id": getattr(request, "request_id", "")}
    return render(request, "500.html", context, status=500)


@login_required
def home(request):
    return render(request, "home.html")


def healthz(request):
    """Liveness and database readiness for load balancers and docker compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_POST
def set_language(request):
    """Switch language; remembered in a cookie and, when signed in, on the user's profile."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.PRODUCTION,
        samesite="Lax",
    )
    return response


@capability_required(Capability.READ_AUDIT)
def record_history(request, app_label: str, model_name: str, pk: str):
    obj = audit.get_tracked_object_for_user(request.user, app_label, model_name, pk)
    entries = audit.history_for(obj)
    return render(request, "audit/record_history.html", {"object": obj, "entries": entries})


@capability_required(Capability.READ_AUDIT)
def audit_log(request):
    verification = auditchain.last_verification()
    problem = auditchain.describe(verification.problem) if verification and not verification.intact else ""
    context = {"events": audit.recent_events(), "verification": verification, "problem": problem}
    return render(request, "audit/log.html", context)


@capability_required(Capability.MANAGE_API_TOKENS)
def api_tokens(request):
    return render(request, "registration/api_tokens.html", {"holders": tokens.token_holders()})


@require_POST
@capability_required(Capability.MANAGE_API_TOKENS)
def revoke_api_tokens(request, user_id: int):
    holder = tokens.get_token_holder(user_id)
    revoked = tokens.revoke_tokens(user=holder)
    messages.success(request, _("%(count)d API tokens of %(user)s revoked.") % {"count": revoked, "user": holder})
    return redirect("api_tokens")
