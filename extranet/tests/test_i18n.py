"""The French catalogue is complete and its compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def unquote(lines):
    return "".join(
        bytes(line.strip()[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for line in lines
    )


def parse_po(text):
    """[(flags, msgid, msgid_plural, [msgstr...], msgctxt or None)] for every entry but the header."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if not line.startswith("#") or line.startswith("#,")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields, current = {}, None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" not in fields:
            continue
        msgid = unquote(fields["msgid"])
        if msgid == "":
            continue
        msgstrs = [unquote(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        plural = unquote(fields["msgid_plural"]) if "msgid_plural" in fields else None
        context = unquote(fields["msgctxt"]) if "msgctxt" in fields else None
        entries.append((flags, msgid, plural, msgstrs, context))
    return entries


def test_every_french_message_is_translated_and_none_is_fuzzy():
    entries = parse_po(PO.read_text())
    assert len(entries) > 200
    untranslated = [msgid for _flags, msgid, _plural, msgstrs, _context in entries if not all(msgstrs)]
    fuzzy = [msgid for flags, msgid, _plural, _msgstrs, _context in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for _flags, msgid, plural, msgstrs, context in parse_po(PO.read_text()):
        if plural is None:
            compiled = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
            if compiled != msgstrs[0]:
                stale.append(msgid)
        elif context:
            if [catalogue.npgettext(context, msgid, plural, n) for n in (1, 2)] != msgstrs[:2]:
                stale.append(msgid)
        elif catalogue.ngettext(msgid, plural, 1) != msgstrs[0] or catalogue.ngettext(msgid, plural, 2) != msgstrs[1]:
            stale.append(msgid)
    assert stale == [], "run `make messages` (compilemessages) to rebuild django.mo"
