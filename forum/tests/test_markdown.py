"""Markdown of posts: an XSS corpus through the renderer and the services.

Each payload is used as a post body, a topic title and an attachment name. The stored
`Post.html` is parsed and every tag and attribute checked against the allow-list
(`core.markdown.TAGS`/`ATTRIBUTES`), every href/src against the allowed schemes; the
templates that show titles and attachment names are checked for active content.
"""

import html as html_module
import re

import pytest
from bs4 import BeautifulSoup
from django.template.loader import render_to_string
from django.urls import reverse

from core import markdown
from extranet.testing.assertions import png
from extranet.testing.factories import UserFactory
from forum import services
from forum.models import Attachment, Post

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1)//<</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<input autofocus onfocus=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<table><td background="javascript:alert(1)">x</td></table>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[x](&#x6A;avascript&colon;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x](\x00javascript:alert(1))",
    "[x]: javascript:alert(1)\n\nSee [x].",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](vbscript:msgbox(1))",
    '![x](http://example.org/a.png" onerror="alert(1))',
    '![x](http://example.org/a.png "onerror=alert(1)")',
    '[x](http://example.org "onmouseover=alert(1)")',
    '[x](http://example.org "\\" onmouseover=\\"alert(1)")',
    '[x](http://example.org" onmouseover="alert(1))',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "[<img src=x onerror=alert(1)>](http://example.org)",
    "![<img src=x onerror=alert(1)>](http://example.org/a.png)",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '```" onmouseover="alert(1)\ncode\n```',
    "```javascript:alert(1)\ncode\n```",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <script>alert(1)</script>",
    "* [x](javascript:alert(1))\n* <svg onload=alert(1)>",
    "~~<img src=x onerror=alert(1)>~~",
    '**<a href="javascript:alert(1)">x</a>**',
    'https://example.org/"onmouseover="alert(1)',
    "www.example.org/<script>alert(1)</script>",
    '[m](mailto:a@example.org"onclick="alert(1))',
    "@**<img src=x onerror=alert(1)>**",
    "@**<script>alert(1)</script>|1**",
    "\u202e<script>alert(1)</script>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<a href=\"java\nscript:alert(1)\">x</a>",
]

FORBIDDEN_TAGS = ("script", "iframe", "object", "embed", "style", "svg", "math", "form", "input", "base",
                  "link", "meta", "body", "frame", "frameset", "applet", "noscript", "template", "xss")
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "background", "data", "srcdoc")


def scheme_of(value):
    """The scheme a browser would read: entities decoded, spaces and control characters dropped."""
    value = html_module.unescape(value)
    value = re.sub(r"[\x00-\x20\x7f]", "", value)
    match = SCHEME_RE.match(value)
    return match.group(1).lower() if match else None


def assert_no_active_content(html):
    """No script-ish tag, no event handler, no dangerous URL, whatever the other tags are."""
    lowered = html.lower()
    for tag in FORBIDDEN_TAGS:
        assert f"<{tag}" not in lowered, (tag, html)
    for tag in re.findall(r"<[a-z][^>]*>", lowered):  # text is escaped: a "<" starts a real tag
        assert not re.search(r"""(?:href|src)\s*=\s*["']?\s*(?:javascript|vbscript|data):""", tag), html
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        assert element.name not in FORBIDDEN_TAGS, html
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), (element, html)
            assert attribute.lower() not in ("style", "srcdoc", "formaction", "xlink:href"), (element, html)
            if attribute.lower() in URL_ATTRIBUTES:
                assert scheme_of(value) in (None, "http", "https", "mailto"), (element, html)


def assert_allowed(html):
    """Stored post HTML: only the allow-listed tags and attributes, links with rel, safe URLs."""
    assert_no_active_content(html)
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        assert element.name in markdown.TAGS, (element.name, html)
        allowed = set(markdown.ATTRIBUTES.get(element.name, set()))
        if element.name == "a":
            allowed.add("rel")
        assert set(element.attrs) <= allowed, (element, html)
        if element.name == "a" and element.get("href"):
            assert element.get("rel") == ["nofollow", "ugc", "noopener"], html
        for attribute in ("href", "src"):
            if element.get(attribute) is not None:
                assert scheme_of(element[attribute]) in (None, *markdown.URL_SCHEMES), (element, html)
        if element.name == "span":
            assert element.get("class") in (None, ["mention"]), html
        if element.name == "code" and element.get("class"):
            assert re.fullmatch(r"language-[A-Za-z0-9_+-]{1,30}", " ".join(element["class"])), html


def visible(html):
    return BeautifulSoup(html, "html.parser").get_text()


def test_the_corpus_is_large_and_distinct():
    assert len(PAYLOADS) == len(set(PAYLOADS)) >= 50


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_renderer_neutralises(payload):
    assert_allowed(markdown.render(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_as_body_title_and_attachment_name_is_stored_harmless(payload, category, member, colleague):
    title = payload[:200]
    topic = services.topic_create(actor=member, category=category, title=title, body=payload,
                                  files=[png(name=f"{payload} capture.png")])
    opening = Post.objects.get(topic=topic)
    assert_allowed(opening.html)
    # The title is stored as text (escaped where shown), spaces normalised.
    assert topic.title == " ".join(title.replace("\x00", "").split())
    attachment = Attachment.objects.get(post=opening)
    assert not set(attachment.name) & set("<>\"'`/\\:"), attachment.name
    assert attachment.name.endswith("capture.png")
    reply = services.post_create(actor=colleague, topic=topic, body=payload, reply_to=opening,
                                 files=[png(name=f"{payload} capture.png")])
    assert_allowed(Post.objects.get(pk=reply.pk).html)

    # Where titles and attachment names are shown, nothing becomes active.
    topic.is_new, topic.unread_posts = True, 2
    widget = render_to_string("forum/widgets/unread.html", {"ctx": {"topics": [topic]}})
    assert_no_active_content(widget)
    opening.show_body = True
    page = render_to_string("forum/includes/post.html", {"post": opening, "topic": topic})
    assert_no_active_content(page)
    assert BeautifulSoup(page, "html.parser").find("img", class_="forum-image")["alt"] == attachment.name


@pytest.mark.parametrize("body, html", [
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("> <script>alert(1)</script>", "<blockquote>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n</blockquote>\n"),
    ("`<script>alert(1)</script>`", "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>\n"),
    ("~~<img src=x onerror=alert(1)>~~", "<p><s>&lt;img src=x onerror=alert(1)&gt;</s></p>\n"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("[x](http://example.org)", '<p><a href="http://example.org" rel="nofollow ugc noopener">x</a></p>\n'),
    ("# Titre\n\n**gras** et *penché*", "<h3>Titre</h3>\n<p><strong>gras</strong> et <em>penché</em></p>\n"),
])
def test_the_body_is_stored_as_its_sanitised_html(body, html, category, member, colleague):
    """What the services store in `Post.html`, written out by hand for a few payloads."""
    topic = services.topic_create(actor=member, category=category, title="Un sujet", body=body)
    opening = Post.objects.get(topic=topic)
    assert (opening.body, opening.html) == (body, html)
    reply = services.post_create(actor=colleague, topic=topic, body=body)
    assert Post.objects.get(pk=reply.pk).html == html


@pytest.mark.parametrize("name", [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "x](javascript:alert(1)) [y",
    "Eve](javascript:alert(1))",
    "<a href=javascript:alert(1)>Eve</a>",
    "# Titre",
    "`code` _x_ ~~y~~",
])
def test_a_resolved_mention_shows_the_name_as_text(name, category, member):
    mentioned = UserFactory(display_name=name)
    topic = services.topic_create(actor=member, category=category, title="Mention",
                                  body=f"Bonjour @**{name}** !")
    html = Post.objects.get(topic=topic).html
    assert_allowed(html)
    links = BeautifulSoup(html, "html.parser").find_all("a")
    assert [(a["href"], a.get_text()) for a in links] == [
        (reverse("members:profile", args=[mentioned.pk]), f"@{name}")]


def test_links_get_rel_nofollow_ugc_noopener():
    html = markdown.render("[site](https://exemple.fr/page) et https://autre.exemple.org et <https://x.example>")
    links = BeautifulSoup(html, "html.parser").find_all("a")
    assert [(a["href"], a["rel"]) for a in links] == [
        ("https://exemple.fr/page", ["nofollow", "ugc", "noopener"]),
        ("https://autre.exemple.org", ["nofollow", "ugc", "noopener"]),
        ("https://x.example", ["nofollow", "ugc", "noopener"]),
    ]


def test_a_dangerous_link_keeps_its_text_and_loses_its_target():
    assert markdown.render("[clique](javascript:alert(1))") == "<p>[clique](javascript:alert(1))</p>\n"


def test_headings_h1_and_h2_become_h3_and_h4():
    html = markdown.render("# Un\n\n## Deux\n\nTexte")
    assert html == "<h3>Un</h3>\n<h4>Deux</h4>\n<p>Texte</p>\n"


def test_the_heading_hierarchy_of_a_post_is_kept():
    """A level-3 heading under a level-2 one stays below it (h4 → h5), not above it."""
    levels = [int(tag.name[1]) for tag in BeautifulSoup(markdown.render("# A\n\n## B\n\n### C\n\n#### D"),
                                                          "html.parser").find_all(re.compile("^h[1-6]$"))]
    assert levels == [3, 4, 5, 6]


def test_raw_html_shows_as_text():
    assert markdown.render("<b>gras</b>") == "<p>&lt;b&gt;gras&lt;/b&gt;</p>\n"


def test_allowed_markdown_survives():
    html = markdown.render("**g** *i* ~~b~~ `c`\n\n> cité\n\n3. trois\n4. quatre\n\n| a | b |\n|:-|-:|\n| 1 | 2 |"
                           "\n\n```python\nprint(1)\n```\n\n![logo](https://exemple.fr/logo.png)")
    assert_allowed(html)
    soup = BeautifulSoup(html, "html.parser")
    kept = ["strong", "em", "s", "del", "code", "blockquote", "ol", "table", "pre"]
    assert [t.name for t in soup.find_all(kept)] == ["strong", "em", "s", "code", "blockquote", "ol", "table", "pre",
                                                     "code"]
    assert soup.find("ol")["start"] == "3"
    assert soup.find("code", class_="language-python").get_text() == "print(1)\n"
    assert soup.find("img")["src"] == "https://exemple.fr/logo.png"
    assert soup.find(["s", "del"]).get_text() == "b"


def test_quote_escapes_the_name():
    assert markdown.quote("<b>Eve</b>", "Salut\nà tous") == "> **&lt;b&gt;Eve&lt;/b&gt;** :\n>\n> Salut\n> à tous\n\n"


@pytest.mark.parametrize("bad", [
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" &#106;avascript:alert(1)">x</a>',
    '<img src="data:image/png;base64,AAAA">',
    '<p onclick="alert(1)">x</p>',
    '<div>x</div>',
    '<a href="https://exemple.fr">no rel</a>',
    '<span class="evil">x</span>',
    '<svg></svg>',
])
def test_the_checks_catch_unsafe_html(bad):
    with pytest.raises(AssertionError):
        assert_allowed(bad)
