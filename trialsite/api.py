"""API plumbing shared by every app: the token endpoint."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from trialsite.accounts import must_change_password, second_factor_required, verify_for_api


class TokenView(ObtainAuthToken):
    """``POST /api/v1/token/`` with username and password returns ``{"token": "…"}``.

    Authentication goes through django-axes, so repeated failures lock the
    username from that address exactly as on the login page (429 while locked).
    Whoever must pass a second factor to sign in must send ``otp_token`` too (a code from
    the authenticator app or a recovery code); a one-time code from the coordinator
    gives no token (the password must be chosen in the browser first).
    """

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {
                "username": serializers.CharField(),
                "password": serializers.CharField(),
                "otp_token": serializers.CharField(required=False),
            },
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        if getattr(request._request, "axes_locked_out", False) or getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": _("Too many failed log-in attempts; try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if not valid:
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        user = serializer.validated_data["user"]
        refusal = sign_in_incomplete(user, request.data.get("otp_token", ""))
        if refusal:
            return Response({"detail": refusal}, status=status.HTTP_403_FORBIDDEN)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def sign_in_incomplete(user, otp_token: str) -> str:
    """Why ``user`` gets no token yet (empty when the full sign-in is done)."""
    if must_change_password(user):
        return _("Choose your password in the browser first.")
    if second_factor_required(user) and not verify_for_api(user, str(otp_token or "")):
        return _("Send otp_token: the code from your authenticator app (or a recovery code).")
    return ""
