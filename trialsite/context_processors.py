import functools

from trialsite.navigation import chrome_urls, nav_for
from trialsite.roles import Role, capabilities_of, roles_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": [], "can": {}, "chrome": chrome_urls()}
    roles = roles_of(user)
    pending = getattr(request, "sign_in_pending", None)  # set by SignInStepsMiddleware
    return {
        "chrome": chrome_urls(),  # the frame's addresses: {{ chrome.today }}
        "nav_items": [] if pending else nav_for(user),
        "user_roles": _role_labels(roles),
        "can": capabilities_of(user),  # templates: {% if can.read_audit %}
    }


@functools.cache
def _role_labels(roles: frozenset[str]) -> tuple:
    """The labels of ``roles`` in the matrix's order (lazy: translated where shown)."""
    return tuple(Role(r).label for r in Role.values if r in roles)
