"""What the files register with the rest of the product: a drive for every new space, the
space module "Fichiers", the navigation entry, the activity verbs and the dashboard widget."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import spaces
from core.dashboard import NavEntry, register_nav


def create_space_drive(sender, space, **kwargs):
    """A new space gets its drive in the transaction that made it (core.spaces.space_created)."""
    from files import services

    services.space_drive_create(space=space)


spaces.space_created.connect(create_space_drive, dispatch_uid="files_space_drive")

spaces.register_module(spaces.SpaceModule(
    key="files", label=_("Files"), order=40, url=lambda space: reverse("fichiers:space", args=[space.pk]),
))
register_nav(NavEntry(key="files", label=_("Files"), url_name="fichiers:index", order=31))

# Activity verbs (F3). "files.uploaded" shows in the dashboard's stream; the others only in the space's log.
from core.activity import register_activity  # noqa: E402

register_activity("files.uploaded", _("{actor} added the file {target}"), stream=True)
register_activity("files.version", _("{actor} uploaded a new version of {target}"))
register_activity("files.folder_created", _("{actor} created the folder {target}"))
