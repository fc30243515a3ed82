"""Websocket subscriptions of workgroups: `workgroup.<id>` for those who may read its content."""

from core import realtime
from workgroups import permissions
from workgroups.models import Workgroup


def _check(user, pk):
    workgroup = Workgroup.objects.filter(pk=pk).first()
    return workgroup is not None and permissions.can_view_content(user, workgroup)


realtime.register_subscription("workgroup", _check)
