"""API plumbing shared by every app: token endpoint and the role-aware permission class."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken


class TokenView(ObtainAuthToken):
    """``POST /api/v1/token/`` with username and password returns ``{"token": "…"}``.

    Authentication goes through django-axes, so repeated failures lock the
    username from that address exactly as on the login page.
    """

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
