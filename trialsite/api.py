"""API plumbing shared by every app: the token endpoint."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from trialsite.parsers import PARSER_CLASSES


class TokenView(ObtainAuthToken):
    """``POST /api/v1/token/`` with username and password returns ``{"token": "…"}``.

    Authentication goes through django-axes, so repeated failures lock the
    username from that address exactly as on the login page (429 while locked).
    """

    parser_classes = PARSER_CLASSES

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
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
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
