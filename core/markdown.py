"""Markdown of forum posts and chat messages: rendered to HTML, then sanitised with an
allow-list (nh3).

- Posts: CommonMark with tables and strikethrough, bare links made links; raw HTML in the
  source is not passed through (it shows as text). Chat messages (`render_message`): a
  subset (no headings, tables, images or rules: a line starting with "#" stays text).
- nh3 keeps only the tags and attributes below; links are http(s)/mailto or local paths,
  with rel="nofollow ugc noopener"; images only from this site's media or http(s).
- Mentions are stored `@**Display name**` (or `@**Display name|42**`, as in Zulip);
  `mentions_in` finds them, `resolve_mentions` looks the names up among the members given
  (the approved ones), `render` links them to profiles.
- Writers type (and the autocomplete inserts) `@Display name`: `canonical_mentions` turns
  each `@Full Name` naming exactly one of the members given (longest name first,
  case-insensitive, accents kept; not an e-mail address, not in code) into
  `@**Full Name|id**` before the body is stored, and `editable_mentions` turns the stored
  form back into `@Full Name` for the edit form, wherever that reads the same. Two members
  of the same name: `@Name` means nobody; the autocomplete (`name_candidates(...,
  among=...)` marks them `ambiguous`) then inserts the id form `@**Name|id**`, which
  stays as is in the edit form. The id form typed by hand keeps working.
"""

import re
from functools import reduce
from operator import or_

import nh3
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from markdown_it import MarkdownIt

MENTION_RE = re.compile(r"@\*\*([^*|\n]{1,150}?)(?:\|(\d{1,18}))?\*\*")
# A plain "@Name": "@" not after a letter, digit, "@", "*", "/" or "\\" (e-mail addresses, URLs,
# the stored form), then the text a name may span, on one line.
PLAIN_MENTION_RE = re.compile(r"(?<![\w@*/\\])@(?!\*)([^\s@*\[\]`<>|][^\n@*\[\]`<>|]{0,149})")
PLAIN_WORD_END_RE = re.compile(r"\w(?=\W|$)")
PLAIN_MAX_WORDS = 8  # candidate ends after "@": a name of up to 8 words (or parts of hyphenated words)
PLAIN_MAX_MENTIONS = 50  # "@" looked at in one body (one query whatever the body)
# Code (fenced blocks, inline spans) is not looked into for plain mentions.
_CODE_RE = re.compile(r"^ {0,3}(```|~~~)[^\n]*\n.*?(?:^ {0,3}\1[^\n]*$|\Z)|(`+)[^`].*?\2", re.S | re.M)

TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "span": {"class"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["table", "strikethrough", "linkify"])
)
_md_message = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["strikethrough", "linkify"])
    .disable(["heading", "lheading", "image", "hr"])
)
MESSAGE_TAGS = TAGS - {"h3", "h4", "h5", "h6", "img", "hr", "table", "thead", "tbody", "tr", "th", "td"}
MESSAGE_ATTRIBUTES = {tag: names for tag, names in ATTRIBUTES.items() if tag in MESSAGE_TAGS}
# Headings h1/h2 belong to the page: shift every heading of a post down two levels (at most h6).
_HEADING_RE = re.compile(r"<(/?)h([1-6])>")


def _attribute_filter(tag, attribute, value):
    if tag == "span" and attribute == "class":
        return value if value == "mention" else None
    if tag == "code" and attribute == "class":
        return value if re.fullmatch(r"language-[A-Za-z0-9_+-]{1,30}", value) else None
    return value


def sanitize(html, *, tags=TAGS, attributes=ATTRIBUTES):
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def mentions_in(body):
    """[(name, id or None)] of the mentions in a Markdown body, in order, without repeats."""
    seen, found = set(), []
    for match in MENTION_RE.finditer(body or ""):
        key = (match.group(1).strip(), int(match.group(2)) if match.group(2) else None)
        if key not in seen:
            seen.add(key)
            found.append(key)
    return found


def _link_mentions(body, resolved):
    """Replace resolved mentions by Markdown links to the profile (names escaped)."""

    def replace(match):
        key = (match.group(1).strip(), int(match.group(2)) if match.group(2) else None)
        user = resolved.get(key)
        if user is None:
            return match.group(0)
        name = re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", user.display_name)
        return f"[@{name}]({reverse('members:profile', args=[user.pk])})"

    return MENTION_RE.sub(replace, body)


def resolve_mentions(body, *, among):
    """{(name, id): user} for the mentions of `body` naming exactly one user of `among`
    (a queryset: the approved members, for the forum and the chat)."""
    wanted = mentions_in(body)
    if not wanted:
        return {}
    names = {name.lower() for name, _pk in wanted}
    approved = among
    candidates = list(approved.filter(display_name__in=[n for n, _ in wanted]))
    if len(candidates) < len(names):  # case-insensitive fallback, one query
        query = Q()
        for name, _pk in wanted:
            query |= Q(display_name__iexact=name)
        candidates = list(approved.filter(query))
    by_name = {}
    for user in candidates:
        by_name.setdefault(user.display_name.lower(), []).append(user)
    resolved = {}
    for name, pk in wanted:
        matches = by_name.get(name.lower(), [])
        if pk is not None:
            matches = [u for u in matches if u.pk == pk]
        if len(matches) == 1:
            resolved[(name, pk)] = matches[0]
    return resolved


def name_candidates(members, query, limit=8, *, among=None):
    """[{pk, display_name}] of `members` (a queryset) a name part starts with `query` (autocomplete).

    With `among` (the members mentions resolve among), each also says `ambiguous`: another of
    `among` has the same name (case-insensitive), so `@Name` alone would name nobody."""
    query = " ".join((query or "").replace("\x00", "").split())[:50]  # PostgreSQL refuses NUL
    if not query:
        return []
    found = list(
        members.filter(Q(display_name__istartswith=query) | Q(display_name__icontains=f" {query}"))
        .order_by("display_name").values("pk", "display_name")[:limit]
    )
    if among is not None and found:
        directory = _directory([row["display_name"] for row in found], among)
        for row in found:
            row["ambiguous"] = len(directory.get(_fold(row["display_name"]), [])) > 1
    return found


# --- Plain mentions: "@Full Name" as the writer reads it ------------------------------------


def _code_spans(body):
    return [match.span() for match in _CODE_RE.finditer(body)]


def _plain_mentions(body):
    """[(start of "@", [candidate names, longest first, each with its length in the text])]."""
    code = _code_spans(body)
    found = []
    for match in PLAIN_MENTION_RE.finditer(body):
        start = match.start()
        if any(a <= start < b for a, b in code):
            continue
        text = match.group(1)
        ends = [m.end() for m in PLAIN_WORD_END_RE.finditer(text)][:PLAIN_MAX_WORDS]
        if ends:
            found.append((start, [(text[:end], end) for end in reversed(ends)]))
        if len(found) >= PLAIN_MAX_MENTIONS:
            break
    return found


def _fold(name):
    return " ".join(name.split()).casefold()


def _directory(names, among):
    """{folded name: [members]} of the members of `among` bearing one of `names` (one query)."""
    wanted = {" ".join(name.split()) for name in names}
    wanted.discard("")
    if not wanted:
        return {}
    by_name = {}
    for user in among.filter(reduce(or_, (Q(display_name__iexact=name) for name in wanted))):
        by_name.setdefault(_fold(user.display_name), []).append(user)
    return by_name


def _match_plain(candidates, directory):
    """(member, length in the text) of the longest candidate naming exactly one member, or None."""
    for text, length in candidates:
        users = directory.get(_fold(text), [])
        if len(users) == 1:
            return users[0], length
        if users:  # the longest name is shared: a shorter one would name someone else
            return None
    return None


def _canonical(user):
    return f"@**{user.display_name}|{user.pk}**"


def _storable(user):
    return bool(user.display_name) and not re.search(r"[*|\n]", user.display_name)


def canonical_mentions(body, *, among):
    """`body` with each `@Full Name` that names exactly one member of `among` (a queryset)
    written `@**Full Name|id**` (the stored form); anything else unchanged."""
    body = body or ""
    plain = _plain_mentions(body)
    if not plain:
        return body
    directory = _directory((text for _start, candidates in plain for text, _n in candidates), among)
    pieces, last = [], 0
    for start, candidates in plain:
        if start < last:
            continue
        found = _match_plain(candidates, directory)
        if found is None or not _storable(found[0]):
            continue
        user, length = found
        pieces += [body[last:start], _canonical(user)]
        last = start + 1 + length
    return "".join(pieces) + body[last:]


def editable_mentions(body, *, among):
    """The stored `body` as the writer reads it: each `@**Name|id**` (or `@**Name**`) written
    `@Name` again where `canonical_mentions` would turn it back into the same member; the
    others (two members of that name, a name followed by text that makes a longer name, a
    mention that names nobody) keep their stored form."""
    body = body or ""
    tokens = list(MENTION_RE.finditer(body))
    if not tokens:
        return body
    resolved = resolve_mentions(body, among=among)
    code = _code_spans(body)
    turnable = []  # (token, member, the names "@Name" followed by the rest of its line could spell)
    for token in tokens:
        name = token.group(1).strip()
        user = resolved.get((name, int(token.group(2)) if token.group(2) else None))
        start = token.start()
        if user is None or any(a <= start < b for a, b in code) or (
                start and re.match(r"[\w@*/\\]", body[start - 1])):
            continue
        following = PLAIN_MENTION_RE.match("@" + name + body[token.end():].split("\n", 1)[0])
        if following is None:
            continue
        text = following.group(1)
        ends = [m.end() for m in PLAIN_WORD_END_RE.finditer(text)][:PLAIN_MAX_WORDS]
        turnable.append((token, name, user, [(text[:end], end) for end in reversed(ends)]))
    directory = _directory((text for *_rest, candidates in turnable for text, _n in candidates), among)
    pieces, last = [], 0
    for token, name, user, candidates in turnable:
        found = _match_plain(candidates, directory)
        if found is None or found[0].pk != user.pk or found[1] != len(name):
            continue
        pieces += [body[last:token.start()], "@" + name]
        last = token.end()
    return "".join(pieces) + body[last:]


def render(body, resolved_mentions=None, *, top_level=None):
    """Sanitised HTML of a post's Markdown; `resolved_mentions` maps (name, id) to users.

    Headings go two levels down (`#` is an h3 in a post under the page's h1 and h2); with
    `top_level` (3 or more: the allow-list keeps h3-h6), the highest heading of the text becomes
    that level instead and the others follow (a resource's body under its page's h2: 3), so
    that no level is skipped."""
    source = _link_mentions(body or "", resolved_mentions or {})
    html = _md.render(source)
    offset = 2
    if top_level is not None:
        levels = [int(m.group(2)) for m in _HEADING_RE.finditer(html) if not m.group(1)]
        offset = top_level - min(levels) if levels else 0
    html = _HEADING_RE.sub(lambda m: f"<{m.group(1)}h{max(1, min(int(m.group(2)) + offset, 6))}>", html)
    return sanitize(html)


def render_message(body, resolved_mentions=None):
    """Sanitised HTML of a chat message's Markdown (the subset: no headings, tables, images)."""
    source = _link_mentions(body or "", resolved_mentions or {})
    return sanitize(_md_message.render(source), tags=MESSAGE_TAGS, attributes=MESSAGE_ATTRIBUTES)


def quote(author_name, body):
    """Markdown quoting a post: '> **Name** a écrit :' then the post, each line quoted."""
    lines = (body or "").strip().splitlines() or [""]
    head = f"> **{escape(author_name)}** :"
    return "\n".join([head, ">"] + [f"> {line}" for line in lines]) + "\n\n"
