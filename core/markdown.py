"""Markdown of forum posts and chat messages: rendered to HTML, then sanitised with an
allow-list (nh3).

- Posts: CommonMark with tables and strikethrough, bare links made links; raw HTML in the
  source is not passed through (it shows as text). Chat messages (`render_message`): a
  subset (no headings, tables, images or rules: a line starting with "#" stays text).
- nh3 keeps only the tags and attributes below; links are http(s)/mailto or local paths,
  with rel="nofollow ugc noopener"; images only from this site's media or http(s).
- Mentions are written `@**Display name**` (or `@**Display name|42**` when two members
  share a name, as in Zulip); `mentions_in` finds them, `resolve_mentions` looks the
  names up among the members given (the approved ones), `render` links them to profiles.
"""

import re

import nh3
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from markdown_it import MarkdownIt

MENTION_RE = re.compile(r"@\*\*([^*|\n]{1,150}?)(?:\|(\d{1,18}))?\*\*")

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


def name_candidates(members, query, limit=8):
    """[{pk, display_name}] of `members` (a queryset) a name part starts with `query` (autocomplete)."""
    query = " ".join((query or "").replace("\x00", "").split())[:50]  # PostgreSQL refuses NUL
    if not query:
        return []
    return list(
        members.filter(Q(display_name__istartswith=query) | Q(display_name__icontains=f" {query}"))
        .order_by("display_name").values("pk", "display_name")[:limit]
    )


def render(body, resolved_mentions=None):
    """Sanitised HTML of a post's Markdown; `resolved_mentions` maps (name, id) to users."""
    source = _link_mentions(body or "", resolved_mentions or {})
    html = _md.render(source)
    html = _HEADING_RE.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}>", html)
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
