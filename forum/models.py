"""Forum: categories of a space, topics, posts, reads, subscriptions, reports, moderation log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import StoredFile


class Level(models.IntegerChoices):
    """Notification level of a topic or a category, as in Discourse."""

    MUTED = 0, _("Muted")
    NORMAL = 1, _("Normal")
    TRACKING = 2, _("Tracking")
    WATCHING = 3, _("Watching")


class Category(models.Model):
    space = models.ForeignKey("core.Space", on_delete=models.CASCADE, related_name="forum_categories")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    position = models.PositiveIntegerField(_("position"), default=0)
    managers_only_topics = models.BooleanField(
        _("only moderators start topics"), default=False,
        help_text=_("For announcements: members may still reply."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["space_id", "position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["space", "name"], name="forum_category_unique_name")]

    def __str__(self):
        return self.name


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Denormalised for the lists: number of the last post, its time and author.
    last_number = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(default=timezone.now)
    last_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_count = models.PositiveIntegerField(default=0)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-pinned", "-last_post_at", "-id"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            models.Index(fields=["category", "-pinned", "-last_post_at"], name="forum_topic_listing",
                         condition=Q(deleted_at__isnull=True)),
        ]

    def __str__(self):
        return self.title

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField()  # 1 for the opening post
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("message"))
    html = models.TextField()  # rendered from body and sanitised, once, when saved
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)  # hidden by a moderator
    # A token from the form: the same submission twice makes one post.
    submission = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["topic_id", "number"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="forum_post_number"),
            models.UniqueConstraint(fields=["author", "submission"], condition=~Q(submission=""),
                                    name="forum_post_submission"),
        ]

    def __str__(self):
        return f"{self.topic} #{self.number}"

    @property
    def is_visible(self):
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(models.Model):
    """The text of a post before an edit (history for moderators)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    title = models.CharField(max_length=200, blank=True)  # the topic's title, when the opening post was edited
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.__class__.__name__} {self.post_id}"



def attachment_path(instance, filename):
    now = timezone.now()
    return f"forum/{now:%Y/%m}/{instance.stored_name}"


class Attachment(StoredFile):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)

    class Meta(StoredFile.Meta):
        pass


class TopicRead(models.Model):
    """The last post number a member has read in a topic."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reads")
    last_read_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="forum_topic_read_unique")]

    def __str__(self):
        return f"{self.__class__.__name__} {self.topic_id}"



class CategoryRead(models.Model):
    """"Mark category read": everything posted before `read_at` counts as read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="forum_category_read_unique")]

    def __str__(self):
        return f"{self.__class__.__name__} {self.category_id}"



class TopicSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="forum_topic_sub_unique")]

    def __str__(self):
        return f"{self.__class__.__name__} {self.topic_id}"



class CategorySubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="subscriptions")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="forum_category_sub_unique")]

    def __str__(self):
        return f"{self.__class__.__name__} {self.category_id}"



class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], condition=Q(status="open"),
                                    name="forum_report_one_open"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="forum_report_status")]

    def __str__(self):
        return f"{self.__class__.__name__} {self.post_id}"



class ModerationLog(models.Model):
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    space = models.ForeignKey("core.Space", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.__class__.__name__} {self.action}"
