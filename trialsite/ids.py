"""Record ids from URLs and request bodies: anything that is not a stored id's shape is a 404, never a 500."""

from django.core.exceptions import ValidationError
from django.http import Http404

BIGINT_MAX = 2**63 - 1


def pk_or_404(value, field=None) -> int | str:
    """``value`` as a primary key of ``field`` (default: a PostgreSQL bigint); Http404 when it cannot be one.

    A participant code where a number belongs, a float, or a number beyond the column's range
    cannot name a record, so it is answered like an unknown id.
    """
    if field is not None and not field.get_internal_type().endswith("AutoField"):
        try:
            return field.to_python(value)
        except (ValidationError, TypeError, ValueError) as exc:
            raise Http404 from exc
    if isinstance(value, bool):
        raise Http404
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise Http404
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not 0 < number <= BIGINT_MAX:
        raise Http404
    return number


def one_or_none(queryset):
    """The row of a lookup that finds at most one (a primary key, a unique pair), or None.

    Not ``first()``: that orders by the model's ``Meta.ordering``, which costs a sort for nothing here and,
    through a relation, a join (an observation is ordered by its participant's study and code).
    """
    return next(iter(queryset.order_by()[:1]), None)
