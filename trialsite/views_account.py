"""The signed-in person's own account: new password, second factor enrolment and check, security page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from trialsite import two_factor
from trialsite.accounts import change_password, has_second_factor, must_change_password, pending_step
from trialsite.forms import LoginForm, NewPasswordForm, OwnPasswordForm, TokenForm
from trialsite.navigation import landing_url


class SignInView(LoginView):
    """Django's login view; without a ``next`` it lands on the person's own start page (landing_url)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return landing_url(request.user)


def _continue(request):
    """After a step: the next pending step, or where the person was going."""
    step = pending_step(request)
    if step is None:
        return redirect(_next_url(request))
    return redirect(f"{reverse(step)}?{urlencode({'next': _next_url(request)})}")


@never_cache
@login_required
def password_change(request):
    forced = must_change_password(request.user)
    if not forced and pending_step(request):
        return _continue(request)
    form_class = NewPasswordForm if forced else OwnPasswordForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your new password is saved."))
        return _continue(request)
    return render(
        request, "registration/password_change.html", {"form": form, "forced": forced, "next": _next_url(request)}
    )


@never_cache
@login_required
def two_factor_verify(request):
    if must_change_password(request.user) or not has_second_factor(request.user):
        return _continue(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request=request, token=form.cleaned_data["token"]):
            return _continue(request)
        form.add_error("token", _("That code is not right. Try the newest code in your app."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def two_factor_setup(request):
    """Enrol an authenticator: only before any is confirmed, or once fully signed in (to replace it)."""
    if must_change_password(request.user) or (has_second_factor(request.user) and not request.user.is_verified()):
        return _continue(request)
    device = two_factor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_device(request=request, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, "registration/recovery_codes.html", context)
        form.add_error("token", _("That code is not right. Check the time on your phone and try the newest code."))
    context = {"form": form, "qr": two_factor.qr_svg(device), "secret": two_factor.secret_for_typing(device)}
    return render(request, "registration/two_factor_setup.html", {**context, "next": _next_url(request)})


@never_cache
@login_required
def security(request):
    """The person's own page: change password, second factor status, new recovery codes."""
    return render(request, "registration/security.html", {"has_second_factor": has_second_factor(request.user)})


@never_cache
@require_POST
@login_required
def recovery_codes_new(request):
    codes = two_factor.new_recovery_codes(request.user) if has_second_factor(request.user) else []
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": "/"})
