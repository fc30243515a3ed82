"""The forum in Debian's Chromium against a real daphne (fixtures: extranet/testing/browser.py).

Two members read the same topic; one replies through the page's form with a mention of
the other: the mentioned member's badge changes and the reply appears in their open
topic without a reload. The topic page fits 320 px. (Replying and previewing without
JavaScript are plain form posts: forum/tests/test_views.py.)
"""

import re

import pytest

from extranet.testing.browser import (
    NARROW,
    WAIT_MS,
    in_thread,
    log_in,
    scroll_width,
)
from extranet.testing.factories import CoordinatorFactory, UserFactory
from forum import services
from forum.models import Post
from members.spaces import network_space

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def forum_topic(territory, venue):
    reader = UserFactory(email="lea@exemple.test", territory=territory, venues=[venue], display_name="Léa Fournier")
    writer = UserFactory(email="thomas@exemple.test", territory=territory, venues=[venue],
                         display_name="Thomas Vidal")
    coordinator = CoordinatorFactory(email="claire@exemple.test", territory=territory)
    category = in_thread(services.category_create, actor=coordinator, space=network_space(), name="Entraide")
    topic = in_thread(services.topic_create, actor=writer, category=category, title="Imprimante partagée",
                      body="Elle ne répond plus depuis la mise à jour.")
    return reader, writer, topic


def test_a_reply_with_a_mention_appears_live_and_notifies_the_mentioned_member(new_context, forum_topic):
    from playwright.sync_api import expect

    reader, writer, topic = forum_topic
    url = f"/bureau/forum/sujet/{topic.pk}/"
    reader_page = log_in(new_context(), reader)
    reader_page.goto(url)
    expect(reader_page.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    expect(reader_page.locator("[data-forum-topic] [data-post]")).to_have_count(1)
    reader_page.evaluate("window.__sameDocument = 'yes'")
    badge = reader_page.locator("[data-unread-badge]").first

    writer_page = log_in(new_context(), writer)
    writer_page.goto(url)
    writer_page.locator("#repondre textarea[name=body]").fill("@**Léa Fournier** as-tu essayé le pilote IPP ?")
    writer_page.locator("#repondre button[type=submit]:not([name=preview])").click()
    writer_page.wait_for_url(re.compile(r"#message-2$"))
    reply = Post.objects.get(topic=topic, number=2)
    assert 'href="/bureau/members/' not in reply.html and f"/bureau/membres/{reader.pk}/" in reply.html

    # On the reader's open page: the reply is there without a reload, and the badge counts it.
    article = reader_page.locator(f'[data-forum-topic] [data-post="{reply.pk}"]')
    expect(article).to_contain_text("as-tu essayé le pilote IPP", timeout=WAIT_MS)
    expect(article.locator(f'a[href="/bureau/membres/{reader.pk}/"]')).to_have_text("@Léa Fournier")
    expect(badge).to_have_text("1", timeout=WAIT_MS)
    expect(reader_page.locator("#live-announcer")).to_contain_text("Thomas Vidal")
    assert reader_page.evaluate("window.__sameDocument") == "yes"


def test_the_topic_page_fits_320_px(new_context, forum_topic):
    from playwright.sync_api import expect

    reader, _writer, topic = forum_topic
    narrow = log_in(new_context(viewport=NARROW), reader)
    narrow.goto(f"/bureau/forum/sujet/{topic.pk}/")
    expect(narrow.locator("h1")).to_have_text("Imprimante partagée")
    expect(narrow.locator("#repondre [role=toolbar] button")).to_have_count(6)
    assert scroll_width(narrow) <= NARROW["width"], "the topic page scrolls sideways at 320 px"


def test_the_toolbar_and_the_autocomplete_write_what_the_writer_reads_and_the_count_follows(
        new_context, forum_topic):
    """Léa formats her reply with the toolbar and mentions Thomas through the autocomplete:
    she reads "@Thomas Vidal" in the textarea; Thomas's open topic counts the reply live."""
    from playwright.sync_api import expect

    reader, writer, topic = forum_topic
    url = f"/bureau/forum/sujet/{topic.pk}/"
    writer_page = log_in(new_context(), writer)
    writer_page.goto(url)
    expect(writer_page.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    count = writer_page.locator("h1 ~ p [data-reply-count]")
    expect(count).to_have_text("0 réponse")

    page = log_in(new_context(), reader)
    page.goto(url)
    textarea = page.locator("#repondre textarea[name=body]")
    toolbar = page.locator("#repondre [role=toolbar]")
    expect(toolbar.locator("button")).to_have_count(6)

    # The toolbar: one tab stop, arrows move between its buttons, each wraps the selection.
    textarea.fill("Il faut la clé")
    textarea.evaluate("t => t.setSelectionRange(10, 14)")  # "clé"
    toolbar.locator("[data-md-action=bold]").click()
    expect(textarea).to_have_value("Il faut la **clé**")
    assert textarea.evaluate("t => t === document.activeElement && t.value.slice(t.selectionStart, t.selectionEnd)") \
        == "clé"
    toolbar.locator("[data-md-action=bold]").focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.locator("[data-md-action=italic]")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.locator("[data-md-action=code]")).to_be_focused()
    assert toolbar.locator("button[tabindex='0']").count() == 1

    # The mention: chosen in the list, it reads "@Thomas Vidal".
    textarea.focus()
    textarea.press("End")
    textarea.press_sequentially(", merci @Thom")
    option = page.locator("#repondre [role=listbox] [role=option]", has_text="Thomas Vidal")
    expect(option).to_be_visible()
    textarea.press("Enter")
    expect(textarea).to_have_value("Il faut la **clé**, merci @Thomas Vidal ")
    textarea.press_sequentially("!")
    page.locator("#repondre button[type=submit]:not([name=preview])").click()
    page.wait_for_url(re.compile(r"#message-2$"))

    reply = Post.objects.get(topic=topic, number=2)
    assert reply.body == f"Il faut la **clé**, merci @**Thomas Vidal|{writer.pk}** !"
    assert reply.html == (f'<p>Il faut la <strong>clé</strong>, merci <a href="/bureau/membres/{writer.pk}/" '
                          'rel="nofollow ugc noopener">@Thomas Vidal</a> !</p>\n')
    expect(page.locator(f'[data-post="{reply.pk}"] a[href="/bureau/membres/{writer.pk}/"]')).to_have_text(
        "@Thomas Vidal")
    # Thomas's open page: the count follows, in French.
    expect(count).to_have_text("1 réponse", timeout=WAIT_MS)

    # Editing: the form shows the mention as written.
    page.goto(f"/bureau/forum/message/{reply.pk}/modifier/")
    expect(page.locator("textarea[name=body]")).to_have_value("Il faut la **clé**, merci @Thomas Vidal !")


def test_without_javascript_the_composer_is_a_plain_textarea(new_context, forum_topic):
    from playwright.sync_api import expect

    reader, _writer, topic = forum_topic
    page = log_in(new_context(java_script_enabled=False, viewport=NARROW), reader)
    page.goto(f"/bureau/forum/sujet/{topic.pk}/")
    expect(page.locator("#repondre textarea[name=body]")).to_be_visible()
    assert page.locator("[role=toolbar]").count() == 0
    assert scroll_width(page) <= NARROW["width"]
