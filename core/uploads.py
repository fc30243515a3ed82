"""Files members attach (forum posts, chat messages): checked names, types and sizes, and
the response that serves them back.

- The name shown is the original one, cleaned (no path, no control or markup characters,
  extension kept); the stored name is random (`stored_name`), so nothing a member types
  ever becomes a path.
- Accepted types are an allow-list by extension; images and PDF are sniffed (`filetype`)
  so that a renamed file is refused.
- Served with `nosniff`, a sandboxing CSP, and as a download unless it is an image.
"""

import os
import re
import uuid

import filetype
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext as _

IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
}
ALLOWED_TYPES = {**IMAGE_TYPES, **DOCUMENT_TYPES}
# Formats whose content we check against the extension (the others are opaque text/zip).
_SNIFFED = {"jpg", "jpeg", "png", "gif", "webp", "pdf"}
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f<>\"'`\\/:*?|]")


def clean_file_name(name):
    base = os.path.basename((name or "").replace("\\", "/"))
    base = _CONTROL_RE.sub("", base).strip(" ")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem.strip(" .") or "fichier"
    ext = ext.strip(" .")[:20]
    return f"{stem[:180]}.{ext}" if ext else stem[:200]


def stored_name(ext):
    return f"{uuid.uuid4().hex}.{ext}"


def validate(files, *, max_count, max_size, too_many, field="attachments"):
    """[(file, clean name, extension, content type, is_image)], or ValidationError naming each bad file.

    `too_many` is the message when more than `max_count` files come (with `%(n)d`).
    """
    files = [f for f in (files or []) if f]
    if len(files) > max_count:
        raise ValidationError({field: too_many % {"n": max_count}})
    checked, errors = [], []
    for upload in files:
        name = clean_file_name(upload.name)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in ALLOWED_TYPES:
            errors.append(_("« %(name)s »: this type of file is not accepted (accepted: %(types)s).")
                          % {"name": name, "types": ", ".join(sorted(ALLOWED_TYPES))})
            continue
        if upload.size > max_size:
            errors.append(_("« %(name)s » is larger than %(mb)d MB.") % {"name": name, "mb": max_size // 1024 // 1024})
            continue
        if upload.size == 0:
            errors.append(_("« %(name)s » is empty.") % {"name": name})
            continue
        if ext in _SNIFFED:
            head = upload.read(2048)
            upload.seek(0)
            kind = filetype.guess(head)
            if kind is None or kind.mime != ALLOWED_TYPES[ext]:
                errors.append(_("« %(name)s » is not really a .%(ext)s file.") % {"name": name, "ext": ext})
                continue
        checked.append((upload, name, ext, ALLOWED_TYPES[ext], ext in IMAGE_TYPES))
    if errors:
        raise ValidationError({field: errors})
    return checked


def file_response(attachment):
    """Serve an attachment (fields file, name, content_type, is_image) once access was checked."""
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=not attachment.is_image, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


class StoredFile(models.Model):
    """What an attachment keeps besides its owner and its `file` (each app names its folder)."""

    name = models.CharField(max_length=200)  # the original name, cleaned; shown escaped
    stored_name = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    is_image = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self):
        return self.name


def save_files(model, checked, **owner):
    """Store the files `validate` accepted as `model` rows of `owner` (e.g. post=post)."""
    for upload, name, ext, content_type, is_image in checked:
        attachment = model(name=name, stored_name=stored_name(ext), size=upload.size,
                           content_type=content_type, is_image=is_image, **owner)
        attachment.file.save(attachment.stored_name, upload, save=False)
        attachment.save()
