from observations.safety.access import is_alerted
from observations.safety.alerts import open_alerts_for


def alerts(request) -> dict:
    """``safety_alerts``: how many serious adverse events await acknowledgement or report (alerted roles)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_alerted(user):
        return {"safety_alerts": 0}
    return {"safety_alerts": open_alerts_for(user).count()}
