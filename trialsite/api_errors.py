"""The one error shape of the JSON API, for every app (registered as DRF's EXCEPTION_HANDLER).

- A broken rule (a Django ``ValidationError`` from a service, or DRF's own): 400 with
  ``{field: [message, ...]}``; messages that belong to no field are under ``non_field_errors``.
- A request that clashes with what is stored (a ``Conflict``, e.g. an idempotency key already used
  for another record): 409 with the same ``{field: [message, ...]}`` shape.
- Anything else DRF knows (401, 403, 404, 405, 409 ...): ``{"detail": message}``.

Services raise Django's ``ValidationError``; views and viewsets never translate it themselves.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler


class Conflict(DjangoValidationError):
    """A broken rule about what is already stored rather than about the values sent (HTTP 409)."""


def _as_drf(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        fields = error.message_dict
        if NON_FIELD_ERRORS in fields:
            fields[api_settings.NON_FIELD_ERRORS_KEY] = fields.pop(NON_FIELD_ERRORS)
        return serializers.ValidationError(fields)
    return serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})


def api_exception_handler(exc, context):
    """DRF's handler, after turning a service's Django ValidationError into the field shape."""
    if isinstance(exc, Conflict):
        return Response(_as_drf(exc).detail, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = _as_drf(exc)
    if isinstance(exc, serializers.ValidationError) and not isinstance(exc.detail, dict):
        exc = serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.detail})
    return exception_handler(exc, context)
