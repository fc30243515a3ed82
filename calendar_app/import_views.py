"""(being written)"""

from django.http import Http404


def calendar_import(request, *args, **kwargs):
    raise Http404

