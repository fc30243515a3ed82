"""files.content: what a file may be (by its content, not only its name), names, storage,
thumbnails and text. Every file here is real: small but built as its format says."""

import hashlib
import io
import struct
import uuid
import wave
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import Image

from files import content

# --- Builders of real, minimal files --------------------------------------------------------


def image_bytes(image_format="PNG", size=(8, 8), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "orange" if mode == "RGB" else 1).save(buffer, format=image_format)
    return buffer.getvalue()


def pdf_bytes(*texts):
    """A PDF with a page per text (Helvetica), with a correct cross-reference table."""
    texts = texts or ("Bonjour la mediation numerique",)
    pages = len(texts)
    # 1 catalog, 2 pages, 3 font, then (page, contents) for each text.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, text in enumerate(texts):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
                       b" /Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def zip_bytes(members, *, mimetype=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # first and stored, as ODF says
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ODT_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
    "<text:h>Atelier tablette</text:h><text:p>Première <text:span>séance</text:span> au café</text:p>"
    "</office:text></office:body></office:document-content>"
)
MANIFEST = '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'  # noqa: E501


def odf_bytes(ext):
    return zip_bytes({"META-INF/manifest.xml": MANIFEST, "content.xml": ODT_CONTENT},
                     mimetype=content.ODF_TYPES[ext])


DOCX_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    "<w:p><w:r><w:t>Fiche pratique</w:t></w:r></w:p>"
    '<w:p><w:r><w:t xml:space="preserve">Créer sa </w:t></w:r><w:r><w:t>boîte mail</w:t></w:r></w:p>'
    "</w:body></w:document>"
)
CONTENT_TYPES = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'  # noqa: E501


def ooxml_bytes(ext, extra=None):
    part = {"docx": ("word/document.xml", DOCX_DOCUMENT), "xlsx": ("xl/workbook.xml", "<workbook/>"),
            "pptx": ("ppt/presentation.xml", "<presentation/>")}[ext]
    return zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": "<Relationships/>", part[0]: part[1],
                      **(extra or {})})


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def ole_bytes(root_clsid=b"\x00" * 16):
    """An OLE compound file: a 512-byte header (sectors of 2**9 bytes, directory in sector 0)
    and its directory sector, whose first entry (the root) carries `root_clsid`."""
    header = bytearray(512)
    header[0:8] = OLE_MAGIC
    struct.pack_into("<HHH", header, 0x18, 0x3E, 3, 0xFFFE)  # minor and major version, byte order
    struct.pack_into("<H", header, 0x1E, 9)  # sector shift
    struct.pack_into("<I", header, 0x30, 0)  # first directory sector
    directory = bytearray(512)
    name = "Root Entry".encode("utf-16-le") + b"\x00\x00"
    directory[0:len(name)] = name
    directory[0x50:0x60] = root_clsid
    return bytes(header + directory)


def wav_bytes():
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 400
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x01vorbis" + b"\x00" * 100
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free" + b"\x00" * 64
M4A = b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00M4A isom" + b"\x00\x00\x00\x08free" + b"\x00" * 64
WEBM = (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
        b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 64)
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<rect width="10" height="10" fill="orange"/></svg>')
SVG_WITH_SCRIPT = (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
                   b'<circle r="4"/></svg>')
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"  # noqa: E501


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# (name, bytes, content type, is_image, is_svg): every allowed type.
ALLOWED = [
    ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg", True, False),
    ("photo.JPEG", lambda: image_bytes("JPEG"), "image/jpeg", True, False),
    ("capture.png", lambda: image_bytes("PNG"), "image/png", True, False),
    ("anim.gif", lambda: image_bytes("GIF"), "image/gif", True, False),
    ("image.webp", lambda: image_bytes("WEBP"), "image/webp", True, False),
    ("logo.svg", lambda: SVG, "image/svg+xml", False, True),
    ("guide.pdf", pdf_bytes, "application/pdf", False, False),
    ("texte.odt", lambda: odf_bytes("odt"), "application/vnd.oasis.opendocument.text", False, False),
    ("tableau.ods", lambda: odf_bytes("ods"), "application/vnd.oasis.opendocument.spreadsheet", False, False),
    ("diapos.odp", lambda: odf_bytes("odp"), "application/vnd.oasis.opendocument.presentation", False, False),
    ("dessin.odg", lambda: odf_bytes("odg"), "application/vnd.oasis.opendocument.graphics", False, False),
    ("fiche.docx", lambda: ooxml_bytes("docx"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False, False),
    ("budget.xlsx", lambda: ooxml_bytes("xlsx"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False, False),
    ("bilan.pptx", lambda: ooxml_bytes("pptx"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation", False, False),
    ("ancien.doc", ole_bytes, "application/msword", False, False),
    ("ancien.xls", ole_bytes, "application/vnd.ms-excel", False, False),
    ("ancien.ppt", ole_bytes, "application/vnd.ms-powerpoint", False, False),
    ("lettre.rtf", lambda: b"{\\rtf1\\ansi Bonjour}", "application/rtf", False, False),
    ("notes.txt", lambda: "Réunion de mardi : ordre du jour".encode(), "text/plain", False, False),
    ("latin.txt", lambda: "Réunion".encode("cp1252"), "text/plain", False, False),
    ("bmx.txt", lambda: b"BMX club: horaires", "text/plain", False, False),  # starts like a BMP header
    ("mz.csv", lambda: b"MZ;Mazamet\n81;Tarn\n", "text/csv", False, False),  # starts like a DOS program
    ("lieux.csv", lambda: b"nom;ville\nEPN;Brest\n", "text/csv", False, False),
    ("lisez-moi.md", lambda: b"# Titre\n\nDu *texte*.\n", "text/markdown", False, False),
    ("livre.epub", lambda: zip_bytes({"META-INF/container.xml": "<container/>"}, mimetype="application/epub+zip"),
     "application/epub+zip", False, False),
    ("son.mp3", lambda: MP3, "audio/mpeg", False, False),
    ("son.ogg", lambda: OGG, "audio/ogg", False, False),
    ("son.oga", lambda: OGG, "audio/ogg", False, False),
    ("son.wav", wav_bytes, "audio/wav", False, False),
    ("son.m4a", lambda: M4A, "audio/mp4", False, False),
    ("film.mp4", lambda: MP4, "video/mp4", False, False),
    ("film.webm", lambda: WEBM, "video/webm", False, False),
    ("archive.zip", lambda: zip_bytes({"a.txt": "a", "b/c.txt": "c"}), "application/zip", False, False),
]


@pytest.mark.parametrize(("name", "make", "content_type", "is_image", "is_svg"), ALLOWED,
                         ids=[row[0] for row in ALLOWED])
def test_every_allowed_type_passes_with_its_real_content(name, make, content_type, is_image, is_svg):
    file = upload(name, make())
    checked = content.check_upload(file)
    assert (checked.name, checked.ext) == (name, name.rsplit(".", 1)[1].lower())
    assert checked.content_type == content_type
    assert (checked.is_image, checked.is_svg) == (is_image, is_svg)
    assert checked.upload is file
    assert file.tell() == 0  # put back for storing


def refused_message(name, data, **kwargs):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        content.check_upload(upload(name, data), **kwargs)
    return raised.value.messages


REFUSED = [
    ("windows program named pdf", "facture.pdf", PE, "« facture.pdf » is a program: programs are not accepted."),
    ("windows program named docx", "cv.docx", PE, "« cv.docx » is a program: programs are not accepted."),
    ("elf named txt", "notes.txt", ELF, "« notes.txt » is a program: programs are not accepted."),
    ("mach-o named png", "x.png", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 40,
     "« x.png » is a program: programs are not accepted."),
    ("java class named zip", "a.zip", b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 40,
     "« a.zip » is a program: programs are not accepted."),
    ("shebang in txt", "lancer.txt", b"#!/bin/sh\nrm -rf ~\n",
     "« lancer.txt » is a program: programs are not accepted."),
    ("shebang after bom", "lancer.md", b"\xef\xbb\xbf#!/usr/bin/env python\n",
     "« lancer.md » is a program: programs are not accepted."),
    ("msi named doc", "setup.doc", ole_bytes(uuid.UUID("000c1084-0000-0000-c000-000000000046").bytes_le),
     "« setup.doc » is a program: programs are not accepted."),
    ("jar named zip", "jeu.zip", zip_bytes({"META-INF/MANIFEST.MF": "Main-Class: Jeu\n", "Jeu.class": "x"}),
     "« jeu.zip » is a program: programs are not accepted."),
    ("apk named zip", "appli.zip", zip_bytes({"AndroidManifest.xml": "x", "classes.dex": "dex\n035\x00"}),
     "« appli.zip » is a program: programs are not accepted."),
    ("png named pdf", "rapport.pdf", image_bytes("PNG"), "« rapport.pdf » is not really a .pdf file."),
    ("jpeg named png", "photo.png", image_bytes("JPEG"), "« photo.png » is not really a .png file."),
    ("pdf named txt", "notes.txt", pdf_bytes(), "« notes.txt » is not really a .txt file."),
    ("zip named txt", "notes.txt", zip_bytes({"a": "b"}), "« notes.txt » is not really a .txt file."),
    ("binary named csv", "data.csv", b"abc\x00\x01\x02def", "« data.csv » is not really a .csv file."),
    ("text named mp3", "son.mp3", b"pas du son", "« son.mp3 » is not really a .mp3 file."),
    ("mp4 named webm", "film.webm", MP4, "« film.webm » is not really a .webm file."),
    ("plain zip named docx", "cv.docx", zip_bytes({"a.txt": "a"}), "« cv.docx » is not really a .docx file."),
    ("xlsx named docx", "cv.docx", ooxml_bytes("xlsx"), "« cv.docx » is not really a .docx file."),
    ("odt named ods", "t.ods", odf_bytes("odt"), "« t.ods » is not really a .ods file."),
    ("zip without mimetype named odt", "t.odt", zip_bytes({"content.xml": ODT_CONTENT}),
     "« t.odt » is not really a .odt file."),
    ("text named doc", "ancien.doc", b"Bonjour", "« ancien.doc » is not really a .doc file."),
    ("text named rtf", "lettre.rtf", b"Bonjour", "« lettre.rtf » is not really a .rtf file."),
    ("broken zip", "archive.zip", b"PK\x03\x04garbage", "« archive.zip » is not really a .zip file."),
    ("docm named docx", "macro.docx", ooxml_bytes("docx", {"word/vbaProject.bin": "x"}),
     "« macro.docx » contains macros: documents with macros are not accepted."),
    ("html in txt", "page.txt", b"<html><body>hi</body></html>",
     "« page.txt » contains a web page or a script: it is not accepted."),
    ("doctype in md", "page.md", b"\n  <!DOCTYPE html><p>x",
     "« page.md » contains a web page or a script: it is not accepted."),
    ("script in csv", "a.csv", b"<script>alert(1)</script>",
     "« a.csv » contains a web page or a script: it is not accepted."),
    ("xhtml in txt", "a.txt", b'<?xml version="1.0"?><x:html xmlns:x="http://www.w3.org/1999/xhtml"/>',
     "« a.txt » contains a web page or a script: it is not accepted."),
    ("utf16 html in txt", "a.txt", "\ufeff<html></html>".encode("utf-16-le").replace(b"\xff\xfe", b"\xff\xfe", 1),
     "« a.txt » contains a web page or a script: it is not accepted."),
    ("html named pdf", "a.pdf", b"<html><script>x</script></html>",
     "« a.pdf » contains a web page or a script: it is not accepted."),
    ("html named svg", "a.svg", b"<html><body/></html>", "« a.svg » is not a valid SVG image."),
    ("svg entity bomb", "a.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
     "« a.svg » is not a valid SVG image."),
    ("png named svg", "a.svg", image_bytes("PNG"), "« a.svg » is not a valid SVG image."),
    ("not xml named svg", "a.svg", b"bonjour", "« a.svg » is not a valid SVG image."),
    ("empty", "vide.txt", b"", "« vide.txt » is empty."),
]


@pytest.mark.parametrize(("name", "data", "message"), [row[1:] for row in REFUSED], ids=[row[0] for row in REFUSED])
def test_refused_content(name, data, message):
    assert refused_message(name, data) == [message]


def test_a_type_outside_the_list_is_refused_naming_the_accepted_ones():
    (message,) = refused_message("setup.exe", PE)
    assert message.startswith("« setup.exe »: this type of file is not accepted (accepted: ")
    assert message.endswith("(accepted: csv, doc, docx, epub, gif, jpeg, jpg, m4a, md, mp3, mp4, odg, odp, ods, odt,"
                            " oga, ogg, pdf, png, ppt, pptx, rtf, svg, txt, wav, webm, webp, xls, xlsx, zip).")
    assert refused_message("page.html", b"<p>x</p>")[0].startswith("« page.html »: this type of file is not accepted")
    assert refused_message("sans-extension", b"abc")[0].startswith("« sans-extension »: this type")


def test_size_limit_from_the_argument_and_from_the_settings():
    data = b"x" * 2048
    assert refused_message("a.txt", data, max_size=2047) == ["« a.txt » is larger than the limit of 2.0\xa0KB."]
    assert content.check_upload(upload("a.txt", data), max_size=2048).name == "a.txt"
    with override_settings(FILES_MAX_SIZE=1024):
        assert refused_message("a.txt", data) == ["« a.txt » is larger than the limit of 1.0\xa0KB."]


def test_an_svg_with_a_script_is_accepted_but_flagged():
    checked = content.check_upload(upload("dessin.svg", SVG_WITH_SCRIPT))
    assert (checked.is_svg, checked.is_image, checked.content_type) == (True, False, "image/svg+xml")


def test_an_svg_with_an_old_doctype_is_accepted():
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert content.check_upload(upload("ancien.svg", data)).is_svg


# --- Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\dir\\x.txt", "x.txt"),
    ("a/b\\c/d.pdf", "d.pdf"),
    ("ré\x00su\x1fmé\x7f.pdf", "résumé.pdf"),
    ("facture\u202efdp.exe", "facturefdp.exe"),  # a right-to-left override
    ('a<b>c:d"e|f?g*h.txt', "abcdefgh.txt"),
    ("  .cache.  ", "cache"),
    ("con.txt", "con_.txt"),
    ("deux   espaces.txt", "deux espaces.txt"),
    ("tab\tulation.txt", "tabulation.txt"),
    ("Ébauche.ODT", "Ébauche.ODT"),
], ids=["dotdot", "windows-path", "mixed-separators", "control", "bidi", "windows-forbidden", "dots-and-spaces",
        "reserved", "spaces", "tab", "accents"])
def test_clean_name(raw, clean):
    assert content.clean_name(raw) == clean


def test_clean_name_keeps_200_characters_and_the_extension():
    cleaned = content.clean_name("a" * 300 + ".docx")
    assert cleaned == "a" * 195 + ".docx"
    assert len(content.clean_name("b" * 300)) == 200


@pytest.mark.parametrize("raw", ["...", "", "  ", "../", "\x00\x01", "C:\\dir\\", "***"],
                         ids=["dots", "empty", "spaces", "parent", "controls", "folder", "forbidden"])
def test_clean_name_refuses_a_name_with_nothing_left(raw):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        content.clean_name(raw)
    shown = "".join(c for c in raw if c >= " ")
    assert raised.value.messages == [f"« {shown} » is not a usable name: choose one with letters or digits."]


def test_an_upload_with_a_path_in_its_name_is_stored_under_its_last_part():
    file = upload("x.txt", b"bonjour")
    file.name = "../../../x.txt"  # Django's own cleaning is bypassed by assigning after
    assert content.check_upload(file).name == "x.txt"


# --- Several files --------------------------------------------------------------------------


def test_check_uploads_all_or_nothing_with_one_message_per_bad_file():
    good = upload("a.txt", b"a")
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        content.check_uploads([good, upload("b.pdf", b"nope"), None, upload("c.txt", b"")], field="fichiers")
    assert raised.value.message_dict == {"fichiers": ["« b.pdf » is not really a .pdf file.", "« c.txt » is empty."]}
    checked = content.check_uploads([good, upload("d.png", image_bytes())])
    assert [c.name for c in checked] == ["a.txt", "d.png"]


def test_check_uploads_wants_a_file():
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        content.check_uploads([None])
    assert raised.value.message_dict == {"files": ["Choose at least one file."]}


# --- Storage --------------------------------------------------------------------------------


@pytest.fixture
def blobs():
    """Names to delete from the private storage after the test."""
    names = []
    yield names
    for name in names:
        content.delete_blob(name)


def stored(blobs, name, data):
    blob = content.store(content.check_upload(upload(name, data)))
    blobs.append(blob.name)
    return blob


def test_store_writes_a_random_name_with_size_and_sha256(blobs):
    data = "Compte rendu : ça marche".encode()
    blob = stored(blobs, "compte rendu.txt", data)
    assert blob.size == len(data) == 25
    assert blob.sha256 == "ffbb22384f23c281bf136a64512c0a7ab41819c2a533939c45dd807fc0aca4df"
    year_month, _, file_name = blob.name.rpartition("/")
    assert len(year_month) == 7 and year_month[4] == "/"
    assert len(file_name) == 36 and file_name.endswith(".txt") and "compte" not in file_name
    with storages["files"].open(blob.name, "rb") as handle:
        assert handle.read() == data
    second = stored(blobs, "compte rendu.txt", data)
    assert second.name != blob.name


def test_store_moves_a_temporary_upload_chunk_by_chunk(blobs, settings):
    data = bytes(range(256)) * 1000  # 256,000 bytes: four chunks of 64 KiB
    temporary = TemporaryUploadedFile("gros.zip", "application/zip", len(data), None)
    temporary.write(zip_bytes({"a.bin": data}))
    temporary.size = temporary.tell()
    temporary.seek(0)
    with open(temporary.temporary_file_path(), "rb") as handle:
        expected = hashlib.sha256(handle.read()).hexdigest()
    blob = content.store(content.check_upload(temporary))
    blobs.append(blob.name)
    assert blob.sha256 == expected
    assert storages["files"].size(blob.name) == blob.size == temporary.size
    temporary.close()


def test_delete_blob_is_tolerant(blobs):
    blob = stored(blobs, "a.txt", b"a")
    content.delete_blob(blob.name)
    assert not storages["files"].exists(blob.name)
    content.delete_blob(blob.name)
    content.delete_blob("")


# --- Thumbnails -----------------------------------------------------------------------------


def thumbnail_size(name):
    with storages["files"].open(name, "rb") as handle, Image.open(handle) as image:
        return image.format, image.size


@pytest.mark.parametrize(("name", "image_format", "size", "expected"), [
    ("grande.jpg", "JPEG", (1600, 900), (480, 270)),
    ("haute.png", "PNG", (300, 1200), (120, 480)),
    ("petite.gif", "GIF", (40, 30), (40, 30)),
    ("photo.webp", "WEBP", (960, 960), (480, 480)),
], ids=["jpeg", "png", "gif", "webp"])
def test_thumbnails_fit_in_480_pixels(blobs, name, image_format, size, expected):
    blob = stored(blobs, name, image_bytes(image_format, size))
    thumbnail = content.make_thumbnail(blob.name, content_type=content.ALLOWED_TYPES[name.rsplit(".")[1]])
    blobs.append(thumbnail)
    assert thumbnail and thumbnail != blob.name
    assert thumbnail_size(thumbnail) == ("WEBP", expected)


def test_a_thumbnail_follows_the_exif_orientation(blobs):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show it rotated by 90°
    Image.new("RGB", (960, 480), "orange").save(buffer, format="JPEG", exif=exif)
    blob = stored(blobs, "portrait.jpg", buffer.getvalue())
    thumbnail = content.make_thumbnail(blob.name, content_type="image/jpeg")
    blobs.append(thumbnail)
    assert thumbnail_size(thumbnail) == ("WEBP", (240, 480))


def test_no_thumbnail_for_svg_pdf_text_or_a_broken_image(blobs):
    svg = stored(blobs, "a.svg", SVG)
    pdf = stored(blobs, "a.pdf", pdf_bytes())
    broken = stored(blobs, "b.png", image_bytes("PNG")[:40])
    assert content.make_thumbnail(svg.name, content_type="image/svg+xml") == ""
    assert content.make_thumbnail(pdf.name, content_type="application/pdf") == ""
    assert content.make_thumbnail(broken.name, content_type="image/png") == ""
    assert content.make_thumbnail("2026/01/absent.png", content_type="image/png") == ""


def test_no_thumbnail_for_a_pixel_bomb(blobs):
    bomb = image_bytes("PNG", (8000, 6500), mode="1")  # 52 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    blob = stored(blobs, "bombe.png", bomb)
    assert content.make_thumbnail(blob.name, content_type="image/png") == ""
    fine = stored(blobs, "ok.png", image_bytes("PNG", (7000, 7000), mode="1"))  # 49 megapixels
    thumbnail = content.make_thumbnail(fine.name, content_type="image/png")
    blobs.append(thumbnail)
    assert thumbnail_size(thumbnail) == ("WEBP", (480, 480))


# --- Text -----------------------------------------------------------------------------------


def test_text_of_a_pdf(blobs):
    blob = stored(blobs, "guide.pdf", pdf_bytes("Atelier smartphone pour seniors"))
    assert content.extract_text(blob.name, content_type="application/pdf", size=blob.size) == (
        "Atelier smartphone pour seniors")


def test_text_of_a_pdf_stops_after_200_pages(blobs):
    blob = stored(blobs, "long.pdf", pdf_bytes(*(f"page {n}" for n in range(1, 206))))
    text = content.extract_text(blob.name, content_type="application/pdf", size=blob.size)
    lines = text.split("\n")
    assert (len(lines), lines[0], lines[-1]) == (200, "page 1", "page 200")


def test_text_of_an_odt_and_a_docx(blobs):
    odt = stored(blobs, "t.odt", odf_bytes("odt"))
    docx = stored(blobs, "t.docx", ooxml_bytes("docx"))
    assert content.extract_text(odt.name, content_type=content.ODF_TYPES["odt"], size=odt.size) == (
        "Atelier tablette\nPremière séance au café")
    assert content.extract_text(docx.name, content_type=content.OOXML_TYPES["docx"], size=docx.size) == (
        "Fiche pratique\nCréer sa boîte mail")


def test_text_of_text_files(blobs):
    utf8 = stored(blobs, "a.txt", "Ligne une\n\n\nLigne  deux é".encode())
    nul = storages["files"].save("2026/01/nul.txt", ContentFile(b"a\x00b"))  # PostgreSQL refuses NUL
    blobs.append(nul)
    assert content.extract_text(nul, content_type="text/plain", size=3) == "ab"
    latin = stored(blobs, "b.csv", "nom;ville\nCafé;Brest".encode("cp1252"))
    assert content.extract_text(utf8.name, content_type="text/plain", size=utf8.size) == "Ligne une\nLigne deux é"
    assert content.extract_text(latin.name, content_type="text/csv", size=latin.size) == "nom;ville\nCafé;Brest"


def test_text_is_capped_at_100000_characters(blobs):
    blob = stored(blobs, "long.md", b"abcd " * 50_000)
    text = content.extract_text(blob.name, content_type="text/markdown", size=blob.size)
    assert len(text) == 100_000
    assert text.startswith("abcd abcd")


def test_no_text_for_other_types_big_files_or_broken_ones(blobs, settings):
    png = stored(blobs, "a.png", image_bytes())
    pdf = stored(blobs, "a.pdf", pdf_bytes("Quelque chose"))
    assert content.extract_text(png.name, content_type="image/png", size=png.size) == ""
    settings.FILES_EXTRACT_MAX_SIZE = pdf.size - 1
    assert content.extract_text(pdf.name, content_type="application/pdf", size=pdf.size) == ""
    settings.FILES_EXTRACT_MAX_SIZE = pdf.size
    assert content.extract_text(pdf.name, content_type="application/pdf", size=pdf.size) == "Quelque chose"
    broken = storages["files"].save("2026/01/broken.docx", ContentFile(b"PK\x03\x04 not a zip"))
    blobs.append(broken)
    assert content.extract_text(broken, content_type=content.OOXML_TYPES["docx"], size=20) == ""
    assert content.extract_text("2026/01/absent.pdf", content_type="application/pdf", size=10) == ""
