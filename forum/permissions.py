"""Every forum rule, in one place. Visibility and posting rights come from the Space.

- A category is seen by whoever may view its space (`Space.can_view`); its topics too.
- Starting a topic: `Space.can_post`, and for a "moderators only" category (announcements)
  `Space.can_manage`.
- Replying: `Space.can_post`, the topic not locked nor deleted (moderators reply in a
  locked topic, as in Discourse).
- Moderating (pin, lock, move, hide, delete any post, read the history, the reports):
  `Space.can_manage` (coordinators; local admins of a territory; a group's managers).
- Editing a post: its author while they may still post there, or a moderator.
"""

from extranet.models import Space
from members import permissions as member_permissions


def can_view_space(user, space):
    return space.can_view(user)


def can_view_category(user, category):
    return category.space.can_view(user)


def can_moderate(user, space):
    return member_permissions.is_approved(user) and space.can_manage(user)


def can_manage_categories(user, space):
    return can_moderate(user, space)


def can_start_topic(user, category):
    space = category.space
    if not space.can_post(user):
        return False
    return not category.managers_only_topics or space.can_manage(user)


def can_view_topic(user, topic):
    if not can_view_category(user, topic.category):
        return False
    return topic.deleted_at is None or can_moderate(user, topic.category.space)


def can_reply(user, topic):
    space = topic.category.space
    if topic.deleted_at is not None or not space.can_post(user):
        return False
    return not topic.locked or space.can_manage(user)


def can_edit_post(user, post):
    space = post.topic.category.space
    if post.deleted_at is not None:
        return False
    if can_moderate(user, space):
        return True
    return (
        post.author_id == user.pk and post.hidden_at is None and not post.topic.locked
        and space.can_post(user)
    )


def can_delete_post(user, post):
    if post.deleted_at is not None:
        return False
    return post.author_id == user.pk or can_moderate(user, post.topic.category.space)


def can_report(user, post):
    return (
        member_permissions.is_approved(user) and post.author_id != user.pk and post.deleted_at is None
        and can_view_topic(user, post.topic)
    )


def can_see_post_body(user, post):
    """A deleted or hidden post shows a placeholder, except to moderators (and a hidden one to its author)."""
    if post.deleted_at is None and post.hidden_at is None:
        return True
    if can_moderate(user, post.topic.category.space):
        return True
    return post.deleted_at is None and post.author_id == user.pk


def visible_spaces(user):
    return Space.objects.visible_to(user)


def moderated_space_ids(user):
    """Ids of the spaces `user` moderates (for the moderation queue)."""
    if not member_permissions.is_approved(user):
        return []
    return [space.pk for space in Space.objects.visible_to(user).select_related("territory", "workgroup")
            if space.can_manage(user)]
