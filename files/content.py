"""What a file may be, where its bytes go, and what is derived from them (thumbnail, text).

- **Allow-list by extension**, wider than `core.uploads` (which serves forum and chat
  attachments): raster images, SVG, office documents, text, audio, video, zip archives.
- **The content is checked, not only the extension** (`check_upload`), on the first bytes
  (`filetype` and our own magic numbers):

  * programs are refused whatever their name: Windows (MZ/PE), ELF, Mach-O, Java classes,
    WebAssembly, `#!` scripts, Windows installers (MSI/MSP/MST: an OLE file whose root
    CLSID says so), Java and Android archives (a zip with compiled classes);
  * a format with a signature must have it (images, PDF, RTF, OLE for doc/xls/ppt, zip;
    OOXML has its `[Content_Types].xml` and its part folder, ODF and EPUB the `mimetype`
    entry naming their type; audio and video what `filetype` knows of them);
  * content of another known type than the extension says is refused (a PNG named .pdf,
    a program named .docx, a zip named .txt); a text (txt, csv, md) has no NUL byte;
  * a file that starts as a web page or a script (`<html`, `<!doctype html`, `<script`,
    XHTML...) is refused whatever its name, text included: browsers have sniffed such
    things into pages before. (A text that merely mentions `<script>` further on is fine:
    it is served as text/plain, nosniff, in a sandbox.)
  * OOXML documents with macros (`vbaProject.bin`) are refused.

- **SVG** is accepted when it is XML with an `<svg` root (parsed with defusedxml, first
  element only). It may carry scripts: it is never served inline and gets no thumbnail,
  only an attachment with a sandboxing CSP (`files.serving`); `Checked.is_svg` says so.
- **Names** (`clean_name`): no path parts, no control or formatting characters (bidi
  overrides included), nothing Windows forbids; at most 200 characters, extension kept.
- **Storage** (`store`): `storages["files"]` (private) under `YYYY/MM/<random>.<ext>`,
  copied chunk by chunk from the upload (a temporary file on disk, see
  `files.uploadhandler`): a large file is never held in memory.
- **Derived** (`make_thumbnail`, `extract_text`): from the stored blob; never raise (a
  broken or hostile file simply has no thumbnail or text). Thumbnails: raster images only,
  refused above 50 megapixels. Text: PDF (200 pages), ODF, DOCX, txt/csv/md; NUL removed
  (PostgreSQL refuses it); 100,000 characters at most.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import struct
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

import filetype
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.uploads import IMAGE_TYPES
from files.models import version_path

# --- Types ---------------------------------------------------------------------------------

RASTER_TYPES: dict[str, str] = dict(IMAGE_TYPES)  # jpg, jpeg, png, gif, webp
SVG_TYPE = "image/svg+xml"
ODF_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odg": "application/vnd.oasis.opendocument.graphics",
}
OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# The folder of the main part of each OOXML kind.
_OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
OLE_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown"}
MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
OTHER_TYPES = {"pdf": "application/pdf", "rtf": "application/rtf", "epub": "application/epub+zip",
               "zip": "application/zip"}
ALLOWED_TYPES: dict[str, str] = {
    **RASTER_TYPES, "svg": SVG_TYPE, **OTHER_TYPES, **ODF_TYPES, **OOXML_TYPES, **OLE_TYPES, **TEXT_TYPES,
    **MEDIA_TYPES,
}
RASTER_MIMES = frozenset(RASTER_TYPES.values())
# What `filetype` may call the content of each media extension.
_MEDIA_SNIFF = {
    "mp3": {"audio/mpeg"},
    "ogg": {"audio/ogg"},
    "oga": {"audio/ogg"},
    "wav": {"audio/x-wav"},
    "m4a": {"audio/mp4", "video/mp4", "video/x-m4v"},
    "mp4": {"video/mp4", "audio/mp4", "video/x-m4v"},
    "webm": {"video/webm"},
}
# `filetype` kinds that are programs (with signatures long enough not to match a text).
_PROGRAM_MIMES = {"application/x-executable", "application/wasm", "application/x-google-chrome-extension",
                  "application/x-deb", "application/x-rpm"}
_HEAD = 8192

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Root CLSIDs (little-endian bytes) of Windows Installer packages, patches and transforms.
_MSI_CLSIDS = {uuid.UUID(f"000c10{k}-0000-0000-c000-000000000046").bytes_le for k in ("84", "86", "82")}
_PROGRAM_MAGICS = (
    b"\x7fELF",  # Linux, BSD
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal, or a Java class
    b"\x00asm",  # WebAssembly
    b"#!",  # scripts
)
_MARKUP_RE = re.compile(
    rb"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script|iframe|object|embed|meta"
    rb"|frameset|svg:script)\b",
    re.IGNORECASE | re.DOTALL,
)
_XHTML_RE = re.compile(rb"http://www\.w3\.org/1999/xhtml", re.IGNORECASE)
# Text formats with a signature of their own: not a .txt/.csv/.md.
_TEXTUAL_SIGNATURES = (b"%PDF-", b"{\\rtf", b"%!PS")
# `filetype` kinds whose signature is two or three printable bytes: a text may start so.
_WEAK_KINDS = {"image/bmp", "application/postscript", "application/x-msdownload", "audio/mpeg", "application/dicom"}
_BOMS = (b"\xef\xbb\xbf",)


# --- Names ---------------------------------------------------------------------------------

_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
NAME_MAX = 200
EXT_MAX = 20


def _visible(name: str) -> str:
    """A name fit to show in a message (no control characters), shortened."""
    shown = "".join(c for c in str(name or "") if unicodedata.category(c)[0] != "C")
    return shown[:80] + ("…" if len(shown) > 80 else "")


def clean_name(name: str) -> str:
    """The name of a file or folder as stored and shown: the last path part only, without
    control or formatting characters nor those Windows forbids, no leading or trailing dots
    and spaces, at most 200 characters (the extension kept). ValidationError if nothing is left."""
    raw = unicodedata.normalize("NFC", str(name or ""))
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    chars = []
    for c in base:
        category = unicodedata.category(c)
        if category[0] == "C" or category in {"Zl", "Zp"} or c in _WINDOWS_FORBIDDEN:
            continue
        chars.append(" " if category == "Zs" else c)
    base = re.sub(r" {2,}", " ", "".join(chars)).strip(" .")
    if not base:
        raise ValidationError(
            _("« %(name)s » is not a usable name: choose one with letters or digits.") % {"name": _visible(raw)},
            code="name",
        )
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        stem, ext = base, ""
    ext = ext[:EXT_MAX]
    stem = stem.rstrip(" .")
    if stem.lower() in _WINDOWS_RESERVED:
        stem = f"{stem}_"
    if ext:
        return f"{stem[: NAME_MAX - len(ext) - 1].rstrip(' .')}.{ext}"
    return stem[:NAME_MAX].rstrip(" .")


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


# --- Checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """An upload that passed `check_upload`."""

    upload: UploadedFile
    name: str  # cleaned
    ext: str  # lower case
    content_type: str
    is_image: bool  # a raster image (thumbnail, inline preview)
    is_svg: bool  # never inline, no thumbnail


def _read_at(upload: Any, offset: int, size: int) -> bytes:
    upload.seek(offset)
    data = upload.read(size)
    return data or b""


def _is_msi(upload: Any, head: bytes) -> bool:
    """Whether an OLE compound file is a Windows Installer package (its root entry's CLSID)."""
    if len(head) < 0x40:
        return False
    shift = struct.unpack_from("<H", head, 0x1E)[0]
    if not 7 <= shift <= 16:
        return False
    first_directory = struct.unpack_from("<I", head, 0x30)[0]
    if first_directory >= 0xFFFFFFFA:
        return False
    root = _read_at(upload, (first_directory + 1) << shift, 128)
    return len(root) == 128 and root[0x50:0x60] in _MSI_CLSIDS


def _zip_names(upload: Any) -> tuple[zipfile.ZipFile, list[str]] | None:
    try:
        upload.seek(0)
        archive = zipfile.ZipFile(upload)
        return archive, archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        return None


def _zip_member(archive: zipfile.ZipFile, name: str, limit: int = 200) -> bytes:
    try:
        info = archive.getinfo(name)
        if info.file_size > limit:
            return b""
        return archive.read(info)
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError, EOFError):
        return b""


def _looks_like_markup(head: bytes) -> bool:
    text = head
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom):]
    text = text.lstrip()
    if not text.startswith(b"<"):
        return False
    return bool(_MARKUP_RE.match(text)) or bool(_XHTML_RE.search(text[:2048]))


def _svg_root_ok(upload: Any) -> bool:
    """Whether the file is XML whose root element is <svg> (only the start of it is parsed)."""
    try:
        upload.seek(0)
        for _event, element in SafeET.iterparse(upload, events=("start",)):
            tag = element.tag
            return isinstance(tag, str) and (tag == "svg" or tag.endswith("}svg"))
    except Exception:  # noqa: BLE001 - any parse error (and defusedxml's refusals) means "not an SVG"
        return False
    return False


def _is_program(upload: Any, head: bytes, sniffed: str | None) -> bool:
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if body.startswith(_PROGRAM_MAGICS) or sniffed in _PROGRAM_MIMES:
        return True
    # Windows and DOS programs: "MZ" and a binary header (a text may start with "MZ").
    if head.startswith(b"MZ") and (b"\x00" in head[:64] or b"PE\x00\x00" in head):
        return True
    if head.startswith(b"dex\n") and head[7:8] == b"\x00":  # Android
        return True
    return head.startswith(OLE_MAGIC) and _is_msi(upload, head)


def _content_problem(upload: Any, name: str, ext: str) -> str | None:
    """The French message refusing the content of an upload, or None when it is fine."""
    head = _read_at(upload, 0, _HEAD)
    kind = filetype.guess(head) if head else None
    sniffed = kind.mime if kind else None
    args = {"name": name, "ext": ext}
    program = _("« %(name)s » is a program: programs are not accepted.") % args
    not_really = _("« %(name)s » is not really a .%(ext)s file.") % args
    if _is_program(upload, head, sniffed):
        return program
    markup = _("« %(name)s » contains a web page or a script: it is not accepted.") % args
    if _looks_like_markup(head) and ext != "svg":
        return markup

    if ext in RASTER_TYPES:
        return None if sniffed == RASTER_TYPES[ext] else not_really
    if ext == "svg":
        if sniffed is not None or not _svg_root_ok(upload):
            return _("« %(name)s » is not a valid SVG image.") % args
        return None
    if ext == "pdf":
        return None if sniffed == "application/pdf" else not_really
    if ext == "rtf":
        return None if head.startswith(b"{\\rtf") else not_really
    if ext in OLE_TYPES:
        return None if head.startswith(OLE_MAGIC) else not_really
    if ext in MEDIA_TYPES:
        return None if sniffed in _MEDIA_SNIFF[ext] else not_really
    if ext in TEXT_TYPES:
        utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
        if utf16:
            decoded = head.decode("utf-16", errors="ignore").encode("utf-8")
            return markup if _looks_like_markup(decoded) else None
        if b"\x00" in head or head.lstrip().startswith(_TEXTUAL_SIGNATURES):
            return not_really
        if sniffed is not None and sniffed not in _WEAK_KINDS:
            return not_really
        return None
    # Zip-based formats.
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return not_really
    opened = _zip_names(upload)
    if opened is None:
        return not_really
    archive, names = opened
    try:
        return _zip_problem(archive, names, ext, program=program, not_really=not_really,
                            macros=_("« %(name)s » contains macros: documents with macros are not accepted.") % args)
    finally:
        archive.close()


def _zip_problem(archive: zipfile.ZipFile, names: list[str], ext: str, *, program: str, not_really: str,
                 macros: str) -> str | None:
    lowered = {n.lower() for n in names}
    if "classes.dex" in lowered or "androidmanifest.xml" in lowered or (
        "meta-inf/manifest.mf" in lowered and any(n.endswith(".class") for n in lowered)
    ):
        return program  # a Java or Android application
    if ext in OOXML_TYPES:
        part = _OOXML_PARTS[ext]
        if "[Content_Types].xml" not in names or not any(n.startswith(part) for n in names):
            return not_really
        if any(n.endswith("vbaproject.bin") for n in lowered):
            return macros
        return None
    if ext in ODF_TYPES or ext == "epub":
        declared = _zip_member(archive, "mimetype").strip().decode("ascii", errors="replace")
        return None if declared == ALLOWED_TYPES[ext] else not_really
    return None  # .zip: any zip archive that is not a program


def check_upload(upload: UploadedFile, *, max_size: int | None = None) -> Checked:
    """The upload, checked (name, type, size, content), or ValidationError with a French
    message naming the file. The upload's position is put back at 0."""
    name = clean_name(upload.name or "")
    ext = extension(name)
    limit = settings.FILES_MAX_SIZE if max_size is None else max_size
    if ext not in ALLOWED_TYPES:
        raise ValidationError(
            _("« %(name)s »: this type of file is not accepted (accepted: %(types)s).")
            % {"name": name, "types": ", ".join(sorted(ALLOWED_TYPES))},
            code="type",
        )
    size = upload.size or 0
    if size <= 0:
        raise ValidationError(_("« %(name)s » is empty.") % {"name": name}, code="empty")
    if size > limit:
        raise ValidationError(
            _("« %(name)s » is larger than the limit of %(limit)s.") % {"name": name, "limit": filesizeformat(limit)},
            code="size",
        )
    try:
        problem = _content_problem(upload, name, ext)
    finally:
        upload.seek(0)
    if problem:
        raise ValidationError(problem, code="content")
    return Checked(upload=upload, name=name, ext=ext, content_type=ALLOWED_TYPES[ext],
                   is_image=ext in RASTER_TYPES, is_svg=ext == "svg")


def check_uploads(uploads: Iterable[UploadedFile | None] | None, *, field: str = "files",
                  max_size: int | None = None) -> list[Checked]:
    """Every upload checked, or ValidationError({field: [one message per bad file]}): all or nothing."""
    files = [upload for upload in (uploads or []) if upload]
    if not files:
        raise ValidationError({field: [_("Choose at least one file.")]})
    checked: list[Checked] = []
    errors: list[str] = []
    for upload in files:
        try:
            checked.append(check_upload(upload, max_size=max_size))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({field: errors})
    return checked


# --- Storage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blob:
    name: str  # the name in storages["files"]
    size: int
    sha256: str


def _storage() -> Storage:
    return storages["files"]


def _random_name(ext: str) -> str:
    return version_path(None, f"{uuid.uuid4().hex}.{ext}")  # type: ignore[arg-type]


def store(checked: Checked) -> Blob:
    """Write the upload to the private storage under a random name, chunk by chunk.

    The sha256 and the size are computed over the chunks of the upload first (a temporary
    file on disk with `files.uploadhandler`); then the storage copies it, moving a temporary
    file when it can (FileSystemStorage) or streaming it (S3). Never the whole file in memory.
    A temporary upload may be moved: read the blob (`storages["files"]`) afterwards, not the upload."""
    upload = checked.upload
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    name = _storage().save(_random_name(checked.ext), upload)
    return Blob(name=name, size=size, sha256=digest.hexdigest())


def delete_blob(name: str) -> None:
    """Delete a stored blob (a thumbnail too); nothing happens when it is already gone."""
    if not name:
        return
    try:
        _storage().delete(name)
    except (FileNotFoundError, OSError):
        pass


# --- Thumbnails ----------------------------------------------------------------------------

THUMBNAIL_SIZE = 480
_PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")  # only the decoders of the accepted types
MAX_PIXELS = 50_000_000


def make_thumbnail(blob_name: str, *, content_type: str) -> str:
    """The storage name of a thumbnail (≤ 480 px each side, WEBP or PNG) of a raster image,
    or "" (not a raster image, unreadable, more than 50 megapixels). SVG: never."""
    if content_type not in RASTER_MIMES or not blob_name:
        return ""
    try:
        from PIL import Image, ImageOps, features

        with _storage().open(blob_name, "rb") as stored, Image.open(stored, formats=_PILLOW_FORMATS) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                return ""
            image.draft("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE))  # JPEG: decode at a smaller scale
            image.seek(0)
            frame = ImageOps.exif_transpose(image)
            frame = frame.convert("RGBA" if frame.mode in {"RGBA", "LA", "P", "PA"} else "RGB")
            frame.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
            output = io.BytesIO()
            if features.check("webp"):
                frame.save(output, "WEBP", quality=80)
                ext = "webp"
            else:
                frame.save(output, "PNG", optimize=True)
                ext = "png"
        return _storage().save(_random_name(ext), ContentFile(output.getvalue()))
    except Exception:  # noqa: BLE001 - a thumbnail is a nicety: any failure means none
        return ""


# --- Text ----------------------------------------------------------------------------------

TEXT_MAX = 100_000
PDF_MAX_PAGES = 200
_XML_MEMBER_MAX = 10 * 1024 * 1024  # an uncompressed content.xml / document.xml, parsed whole
_TEXT_READ_MAX = 4 * TEXT_MAX  # UTF-8: at most 4 bytes a character
_ODF_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _tidy(text: str) -> str:
    text = text.replace("\x00", "")
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n", text)
    return text.strip()[:TEXT_MAX]


def _decode_text(data: bytes) -> str:
    """UTF-8 (a last character cut by the read limit dropped), UTF-16 with its BOM, or else
    Windows-1252 (spreadsheets' CSV exports); undecodable bytes replaced."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=False)
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _xml_paragraphs(data: bytes, paragraph_tags: set[str]) -> str:
    root = SafeET.fromstring(data)
    lines: list[str] = []
    length = 0
    for element in root.iter():
        if element.tag in paragraph_tags:
            line = "".join(element.itertext())
            lines.append(line)
            length += len(line) + 1
            if length > TEXT_MAX:
                break
    return "\n".join(lines)


def _pdf_text(stored: IO[bytes]) -> str:
    from pypdf import PdfReader

    reader = PdfReader(stored)
    parts: list[str] = []
    length = 0
    for number, page in enumerate(reader.pages):
        if number >= PDF_MAX_PAGES or length > TEXT_MAX:
            break
        text = page.extract_text() or ""
        parts.append(text)
        length += len(text)
    return "\n".join(parts)


def _zip_xml_text(stored: IO[bytes], member: str, paragraph_tags: set[str]) -> str:
    with zipfile.ZipFile(stored) as archive:
        info = archive.getinfo(member)
        if info.file_size > _XML_MEMBER_MAX:
            return ""
        return _xml_paragraphs(archive.read(info), paragraph_tags)


def extract_text(blob_name: str, *, content_type: str, size: int) -> str:
    """The text of a PDF (200 pages at most), ODF (text, spreadsheet, presentation), DOCX or
    text file, for search: at most 100,000 characters; "" for other types, files over
    FILES_EXTRACT_MAX_SIZE, or any failure."""
    if not blob_name or size > settings.FILES_EXTRACT_MAX_SIZE:
        return ""
    try:
        with _storage().open(blob_name, "rb") as stored:
            if content_type == "application/pdf":
                text = _pdf_text(stored)
            elif content_type in ODF_TYPES.values():
                text = _zip_xml_text(stored, "content.xml", {f"{{{_ODF_NS}}}p", f"{{{_ODF_NS}}}h"})
            elif content_type == OOXML_TYPES["docx"]:
                text = _zip_xml_text(stored, "word/document.xml", {f"{{{_WORD_NS}}}p"})
            elif content_type in TEXT_TYPES.values():
                text = _decode_text(stored.read(_TEXT_READ_MAX))
            else:
                return ""
        return _tidy(text)
    except Exception:  # noqa: BLE001 - search text is a nicety: a broken file has none
        return ""


__all__ = [
    "ALLOWED_TYPES", "Blob", "Checked", "RASTER_MIMES", "SVG_TYPE", "check_upload", "check_uploads", "clean_name",
    "delete_blob", "extract_text", "make_thumbnail", "store",
]
