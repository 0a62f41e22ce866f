"""API plumbing shared by every app: signing in for a token, signing out.

Tokens are django-rest-knox tokens: one per sign-in (a phone, a laptop, a
script), stored only as a SHA-512 digest, expiring after ``API_TOKEN_HOURS``.
``POST /api/v1/logout/`` revokes the token it is sent with; a coordinator
revokes all of a user's tokens from the *API tokens* page; the database revokes
them all when the user's password changes or the account is deactivated
(``trialsite/migrations/0004_tokens_revoked_with_password.py``).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trialsite.accounts import must_change_password, second_factor_required, verify_for_api
from trialsite.parsers import PARSER_CLASSES
from trialsite.tokens import issue_token


class TokenView(APIView):
    """``POST /api/v1/token/`` with username and password returns a new token and its expiry.

    Authentication goes through django-axes, so repeated failures lock the
    username from that address exactly as on the login page (429 while locked).
    Whoever must pass a second factor to sign in must send ``otp_token`` too (a code from
    the authenticator app or a recovery code); a one-time code from the coordinator
    gives no token (the password must be chosen in the browser first).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = AuthTokenSerializer
    parser_classes = PARSER_CLASSES

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {
                "username": serializers.CharField(),
                "password": serializers.CharField(),
                "otp_token": serializers.CharField(required=False),
            },
        ),
        responses=inline_serializer(
            "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
        ),
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
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
        instance, token = issue_token(user=user)
        return Response({"token": token, "expiry": instance.expiry})


def sign_in_incomplete(user, otp_token: str) -> str:
    """Why ``user`` gets no token yet (empty when the full sign-in is done)."""
    if must_change_password(user):
        return _("Choose your password in the browser first.")
    if second_factor_required(user) and not verify_for_api(user, str(otp_token or "")):
        return _("Send otp_token: the code from your authenticator app (or a recovery code).")
    return ""


class LogoutView(KnoxLogoutView):
    """``POST /api/v1/logout/`` revokes the token the request is signed with (204)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)
