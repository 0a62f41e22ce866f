"""The lifecycle of API tokens: issued per sign-in, expiring, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django.utils import timezone
from knox.models import AuthToken


@dataclass(frozen=True)
class TokenHolder:
    user_id: int
    username: str
    tokens: int
    last_issued: datetime
    expires: datetime


def issue_token(*, user) -> tuple[AuthToken, str]:
    """A new token for one device; returns the stored row and the token (shown once, stored hashed).

    Expired tokens of the user are dropped; beyond ``API_TOKENS_PER_USER`` the oldest devices are signed out.
    """
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, token = AuthToken.objects.create(user=user)
        keep = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
        oldest = list(AuthToken.objects.filter(user=user).order_by("-created").values_list("pk", flat=True)[keep:])
        AuthToken.objects.filter(pk__in=oldest).delete()
    return instance, token


def revoke_tokens(*, user) -> int:
    """Sign every device of ``user`` out of the API; returns how many tokens were revoked."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted


def token_holders() -> list[TokenHolder]:
    """Users holding unexpired tokens, most recent sign-in first (for the coordinator's page)."""
    rows = (
        AuthToken.objects.filter(expiry__gt=timezone.now())
        .values("user_id", "user__username")
        .annotate(tokens=Count("pk"), last_issued=Max("created"), expires=Max("expiry"))
        .order_by("-last_issued")
    )
    return [TokenHolder(r["user_id"], r["user__username"], r["tokens"], r["last_issued"], r["expires"]) for r in rows]


def get_token_holder(user_id: int):
    return get_object_or_404(get_user_model(), pk=user_id)
