"""What the service tests of every app check: a refused action says why and saves nothing.

Each app's tests keep their own `state()`, a snapshot of the tables (and files) an action
may touch, and bind the two context managers to it once:

    nothing_saved = partial(assertions.nothing_saved, state)
    refused = partial(assertions.refused, state)

    with refused(PermissionDenied, "You cannot write in this room."):
        services.message_send(...)

The other helpers (`png`, `media_files`, `notifications`) build or read the same things in
every app. This module is not a test module: pytest does not rewrite its assertions, so
each one says itself what it compared.
"""

import io
import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import Notification


@contextmanager
def nothing_saved(state):
    """The block leaves `state()` (a dict of snapshots) exactly as it found it."""
    before = state()
    yield
    after = state()
    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    assert not changed, "a refused action changed " + "; ".join(
        f"{key}: {before.get(key)!r} -> {after.get(key)!r}" for key in changed)


@contextmanager
def refused(state, exception, message, field=None):
    """The block raises `exception` with exactly `message`, and saves nothing (`nothing_saved`).

    A ValidationError's message is compared on `field` (its `message_dict` is exactly
    {field: [message]}), or, without `field`, it must carry no field at all and only that
    message. `message` may be a list: every message, in order. Any other exception
    (PermissionDenied, RateLimited...) is compared by its text.
    """
    expected = message if isinstance(message, list) else [message]
    with nothing_saved(state), pytest.raises(exception) as excinfo:
        yield excinfo
    error = excinfo.value
    if not isinstance(error, ValidationError):
        assert str(error) == message, f"{type(error).__name__}: {str(error)!r} != {message!r}"
    elif field is not None:
        got = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        assert got == {field: expected}, f"{got!r} != {({field: expected})!r}"
    else:
        assert not hasattr(error, "error_dict"), f"a message on a field: {error.message_dict!r}"
        assert error.messages == expected, f"{error.messages!r} != {expected!r}"


def png(name="capture.png", size=(8, 8), image_format="PNG"):
    """An uploaded image named `name`: a real `image_format` picture (PNG, JPEG, BMP...)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def media_files():
    """The path of every file under MEDIA_ROOT, relative to it, sorted."""
    root = settings.MEDIA_ROOT
    found = []
    for folder, _dirs, files in os.walk(root):
        found.extend(os.path.relpath(os.path.join(folder, name), root) for name in files)
    return sorted(found)


def notifications():
    """(recipient pk, verb) of every notification, sorted (duplicates kept)."""
    return sorted(Notification.objects.values_list("recipient_id", "verb"))
