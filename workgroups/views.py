"""Workgroup views: thin, they call selectors and services."""

from django.shortcuts import render

from workgroups import selectors


def workgroup_list(request):
    return render(request, "workgroups/workgroup_list.html", {"groups": selectors.workgroups_for(user=request.user)})
