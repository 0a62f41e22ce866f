"""DRF permissions from the capability matrix (trialsite.roles.CAPABILITIES)."""

from rest_framework import permissions

from trialsite.roles import can


class HasCapability(permissions.IsAuthenticated):
    """Signed in and granted the view's ``capability``; with ``write_capability`` set, unsafe
    methods (POST, PUT, PATCH, DELETE) need that one instead."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        write = getattr(view, "write_capability", None)
        if write and request.method not in permissions.SAFE_METHODS:
            return can(request.user, write)
        return can(request.user, view.capability)
