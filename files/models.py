"""The files of each space (network, territory, workgroup...) and each member's own.

- A `Drive` belongs to one space (made when the space is, `core.spaces.space_created`) or to
  one member (made on their first upload). It keeps its quota and the bytes it uses: every
  stored version counts, the trash included, until the trash is emptied.
- Folders form a tree under the drive's root folder (`parent` null). A file's name is unique
  among the live files of its folder: an upload of the same name adds a `FileVersion`.
- **Trash**: deleting a file or a folder sets its `deleted_at` (and who); what was inside a
  deleted folder keeps its own state but points to it through `trash_root`, so one UPDATE
  hides or restores a whole subtree. "Live" = `deleted_at` and `trash_root` both null.
- The bytes are in the private storage (`settings.STORAGES["files"]`) under random names;
  nothing there is reachable without a view that checked the permission (`files.serving`).
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def private_storage():
    return storages["files"]


class Drive(models.Model):
    space = models.OneToOneField("core.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="drive")
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="drive")
    # Bytes; None: the default of its kind (settings.FILES_QUOTA_SPACE / FILES_QUOTA_PERSONAL).
    quota = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("quota (bytes)"))
    # Bytes of every stored version of its files (trash included), kept under the drive's row lock.
    used = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(space__isnull=False) & Q(owner__isnull=True))
                | (Q(space__isnull=True) & Q(owner__isnull=False)),
                name="files_drive_space_xor_owner",
            ),
        ]

    def __str__(self) -> str:
        if self.space_id:
            return str(self.space)
        return str(self.owner)

    @property
    def quota_bytes(self) -> int:
        if self.quota is not None:
            return self.quota
        return settings.FILES_QUOTA_PERSONAL if self.owner_id else settings.FILES_QUOTA_SPACE


class Folder(models.Model):
    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Set on what was inside a folder when that folder went to the trash (it comes back with it).
    trash_root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["drive"], condition=Q(parent__isnull=True),
                                    name="files_one_root_per_drive"),
            models.UniqueConstraint(fields=["parent", "name"], condition=Q(deleted_at__isnull=True),
                                    name="files_folder_name_unique"),
        ]
        indexes = [models.Index(fields=["drive", "deleted_at"], name="files_folder_trash")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None and self.trash_root_id is None


class File(models.Model):
    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="files")
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)  # cleaned (core.uploads.clean_file_name); shown escaped
    # The version served; set in the transaction that adds the first version.
    current = models.ForeignKey("FileVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Of the current version (lists read them without a join).
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    is_image = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    trash_root = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The text of the current version (PDF, ODT, DOCX, text) when it could be extracted: search.
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["folder", "name"], condition=Q(deleted_at__isnull=True),
                                    name="files_file_name_unique"),
        ]
        indexes = [
            models.Index(fields=["drive", "deleted_at"], name="files_file_trash"),
            models.Index(fields=["folder", "deleted_at", "name"], name="files_file_list"),
            models.Index(fields=["drive", "-updated_at"], name="files_file_recent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None and self.trash_root_id is None


def version_path(instance: models.Model, filename: str) -> str:
    return f"{timezone.now():%Y/%m}/{filename}"


class FileVersion(models.Model):
    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # A random name in the private storage (core.uploads.stored_name); never the member's.
    blob = models.FileField(upload_to=version_path, storage=private_storage, max_length=300)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    is_image = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64, blank=True)
    thumbnail = models.FileField(upload_to=version_path, storage=private_storage, max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Set when this version was made by restoring an earlier one: it shares that version's blob
    # (same `blob` name, no bytes added to the quota); a blob is deleted with its last version.
    restored_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["file", "number"], name="files_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.file_id} v{self.number}"
