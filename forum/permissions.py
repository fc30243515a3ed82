"""Every forum rule, in one place: one function per permission, answering a `Decision`
(allowed, or refused with the reason the member reads, see `core.permissions`).

Services `.check()` the decision (PermissionDenied with the reason); views and templates
show or hide an action with the same decision and print its reason. Nobody else restates a
rule or its reason. Visibility and posting rights come from the Space (its kind answers):

- A category is seen by whoever may view its space (`Space.can_view`); its topics too.
- Starting a topic: `Space.can_post`, and for a "moderators only" category (announcements)
  `Space.can_manage`.
- Replying: `Space.can_post`, the topic not locked nor deleted (moderators reply in a
  locked topic, as in Discourse).
- Moderating (pin, lock, move, hide, restore, delete any post, read the history, handle
  the reports): `Space.can_manage`, for an approved member.
- Editing a post: its author while they may still post there (the topic open, the post
  not hidden), or a moderator.
- Deleting a post: its author or a moderator; the opening post deletes the topic, which
  its author may do only while nobody replied.

A refusal caused by the state of the content rather than by who asks (a deleted topic,
an opening post others replied to) is a `Conflict`: `.check()` raises ValidationError,
which the form or the page's messages show, as for any invalid input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core import spaces
from core.models import Space
from core.permissions import ALLOWED, Decision, conflict, refused
from members import permissions as member_permissions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from forum.models import Category, Post, Report, Topic
    from members.models import User

    AnyUser = User | AnonymousUser


def _is_author(user: AnyUser, content: Topic | Post) -> bool:
    """`user` wrote `content` (the content of a deleted account has no author, nor has a visitor an id)."""
    return content.author_id is not None and content.author_id == user.pk


# --- Seeing ---------------------------------------------------------------------------------


def can_view_category(user: AnyUser, category: Category) -> Decision:
    if category.space.can_view(user):
        return ALLOWED
    return refused(_("You cannot see this category."))


def can_view_topic(user: AnyUser, topic: Topic) -> Decision:
    """A deleted topic is seen by the moderators only."""
    space = topic.category.space
    if space.can_view(user) and (topic.deleted_at is None or can_moderate(user, space)):
        return ALLOWED
    return refused(_("You cannot see this topic."))


def can_see_post_body(user: AnyUser, post: Post) -> bool:
    """A deleted or hidden post shows a placeholder, except to moderators (and a hidden one to its author)."""
    if post.deleted_at is None and post.hidden_at is None:
        return True
    if can_moderate(user, post.topic.category.space):
        return True
    return post.deleted_at is None and _is_author(user, post)


# --- Moderating -----------------------------------------------------------------------------


def can_moderate(user: AnyUser, space: Space) -> Decision:
    if member_permissions.is_approved(user) and space.can_manage(user):
        return ALLOWED
    return refused(_("Only the moderators of this space do that."))


def can_create_category(user: AnyUser, space: Space) -> Decision:
    if can_moderate(user, space):
        return ALLOWED
    return refused(_("Only the moderators of this space create categories."))


def can_edit_category(user: AnyUser, category: Category) -> Decision:
    if can_moderate(user, category.space):
        return ALLOWED
    return refused(_("Only the moderators of this space edit its categories."))


def can_moderate_topic(user: AnyUser, topic: Topic) -> Decision:
    """Pin, lock, restore, move away."""
    return can_moderate(user, topic.category.space)


def can_move_topic(user: AnyUser, topic: Topic, destination: Category) -> Decision:
    """To another category, of this space or another: the actor moderates both."""
    source = can_moderate_topic(user, topic)
    if not source:
        return source
    if can_moderate(user, destination.space):
        return ALLOWED
    return refused(_("You do not moderate the destination category."))


def can_hide_post(user: AnyUser, post: Post) -> Decision:
    if can_moderate(user, post.topic.category.space):
        return ALLOWED
    return refused(_("Only moderators hide posts."))


def can_restore_post(user: AnyUser, post: Post) -> Decision:
    if can_moderate(user, post.topic.category.space):
        return ALLOWED
    return refused(_("Only moderators restore posts."))


def can_read_post_history(user: AnyUser, post: Post) -> Decision:
    if can_moderate(user, post.topic.category.space):
        return ALLOWED
    return refused(_("Only moderators read the history of a post."))


def can_resolve_report(user: AnyUser, report: Report) -> Decision:
    if can_moderate(user, report.post.topic.category.space):
        return ALLOWED
    return refused(_("Only the moderators of this space handle its reports."))


def moderated_space_ids(user: AnyUser) -> list[int]:
    """Ids of the spaces `user` moderates (for the moderation queue)."""
    if not member_permissions.is_approved(user):
        return []
    visible = Space.objects.visible_to(user).select_related(*spaces.related_for_rules())
    return [space.pk for space in visible if space.can_manage(user)]


def can_open_moderation(user: AnyUser, space_ids: list[int] | None = None) -> Decision:
    """The moderation queue is for who moderates a space (`space_ids`: `moderated_space_ids`, if known)."""
    if space_ids is None:
        space_ids = moderated_space_ids(user)
    if space_ids:
        return ALLOWED
    return refused(_("You moderate no space of the forum."))


# --- Writing --------------------------------------------------------------------------------


def can_start_topic(user: AnyUser, category: Category) -> Decision:
    space = category.space
    if not space.can_post(user):
        return refused(_("You cannot start a topic in this category."))
    if category.managers_only_topics and not space.can_manage(user):
        return refused(_("In this category only moderators start topics; you can reply to them."))
    return ALLOWED


def can_reply(user: AnyUser, topic: Topic) -> Decision:
    space = topic.category.space
    if topic.deleted_at is not None:
        return conflict(_("This topic was deleted: it takes no more replies."))
    if not space.can_post(user):
        return refused(_("You cannot reply in this topic."))
    if topic.locked and not space.can_manage(user):
        return refused(_("This topic is locked: it takes no more replies."))
    return ALLOWED


def can_quote_post(user: AnyUser, post: Post) -> bool:
    """Quote a post in a reply: a post still shown, in a topic `user` may reply to."""
    return post.deleted_at is None and post.hidden_at is None and bool(can_reply(user, post.topic))


def can_edit_post(user: AnyUser, post: Post) -> Decision:
    space = post.topic.category.space
    if post.deleted_at is None and (can_moderate(user, space) or (
            _is_author(user, post) and post.hidden_at is None and not post.topic.locked and space.can_post(user))):
        return ALLOWED
    return refused(_("You cannot edit this post."))


def is_own_deletable_topic(user: AnyUser, topic: Topic) -> bool:
    """Its author deletes it as its author (not as a moderator): nobody replied yet, and they
    may still post there."""
    return _is_author(user, topic) and topic.reply_count == 0 and topic.category.space.can_post(user)


def can_delete_topic(user: AnyUser, topic: Topic) -> Decision:
    """Its author while nobody replied (`is_own_deletable_topic`), or a moderator."""
    if is_own_deletable_topic(user, topic) or can_moderate(user, topic.category.space):
        return ALLOWED
    return refused(_("You cannot delete this topic."))


def can_delete_post(user: AnyUser, post: Post) -> Decision:
    """Its author or a moderator; deleting the opening post deletes the topic (`can_delete_topic`)."""
    if post.deleted_at is not None:
        return refused(_("You cannot delete this post."))
    moderator = can_moderate(user, post.topic.category.space)
    if not moderator and not _is_author(user, post):
        return refused(_("You cannot delete this post."))
    if post.number == 1:
        if not moderator and post.topic.reply_count > 0:
            return conflict(_("Others have replied: only a moderator can delete the whole topic now. "
                              "You can edit your message."))
        return can_delete_topic(user, post.topic)
    return ALLOWED


def can_report(user: AnyUser, post: Post) -> Decision:
    if (member_permissions.is_approved(user) and not _is_author(user, post) and post.deleted_at is None
            and can_view_topic(user, post.topic)):
        return ALLOWED
    return refused(_("You cannot report this post."))
