from functools import wraps

from django.contrib.auth.decorators import login_required

from trialsite.roles import require


def capability_required(capability: str):
    """Login required, then 403 unless the user's roles grant ``capability`` (trialsite.roles.CAPABILITIES)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
