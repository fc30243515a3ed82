"""Middleware of the core: the role scope of each request (core.roles)."""

from core import roles


class RoleScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with roles.scope():
            return self.get_response(request)
