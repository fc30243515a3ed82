"""The network's resource library: resources written by the animators as commons.

- A `Resource` has a title, a summary, a body (Markdown, rendered through
  `core.markdown.render` into `body_html`), files (`ResourceFile`, in the private storage), a
  licence, themes and publics (`Tag`), authors (members, ordered), a status (draft,
  published) and a visibility (the network's members, or public: then also on the public
  site at /ressources/, with its licence and authors).
- A resource may be a **workshop kit**: a step-by-step sheet (`KitStep`) and the equipment to
  borrow (lending items and kits); a workshop points to it through `WorkshopKit`.
- Members keep `Collection`s (private or shared; each member's default one is "Favoris"),
  rate a resource once (`Rating`, 1-4, with a comment) and report it (`Report`) to the
  moderators (the coordinators).
- `views` and `downloads` are counters (conditional `F()` updates, never read-modify-write);
  `search_text` holds the words search looks into (title, summary, body, tags, authors, the
  text of its files), rebuilt by the services.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from files.models import private_storage, version_path


class Licence(models.TextChoices):
    ETALAB_2 = "etalab-2.0", _("Licence Ouverte / Etalab 2.0")
    CC_BY_SA_4 = "cc-by-sa-4.0", _("Creative Commons BY-SA 4.0")
    CC_BY_4 = "cc-by-4.0", _("Creative Commons BY 4.0")
    CC_BY_NC_SA_4 = "cc-by-nc-sa-4.0", _("Creative Commons BY-NC-SA 4.0")
    NONE = "none", _("No licence (all rights reserved)")


LICENCE_URLS = {
    Licence.ETALAB_2: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/deed.fr",
    Licence.CC_BY_NC_SA_4: "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr",
}


class Tag(models.Model):
    class Kind(models.TextChoices):
        THEME = "theme", _("Theme")
        PUBLIC = "public", pgettext_lazy("audience", "Public")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=90)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="resources_tag_unique")]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("resource status", "Draft")
        PUBLISHED = "published", pgettext_lazy("resource status", "Published")

    class Visibility(models.TextChoices):
        MEMBERS = "members", _("The network's members")
        PUBLIC = "public", _("Everyone (also on the public site)")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, blank=True)
    summary = models.TextField(max_length=600, blank=True)
    body = models.TextField(blank=True)  # Markdown
    body_html = models.TextField(blank=True)  # sanitised (core.markdown.render)
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.ETALAB_2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    tags = models.ManyToManyField(Tag, blank=True, related_name="resources")
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, through="ResourceAuthor",
                                     related_name="authored_resources")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    # Ratings' count and sum, kept by the rating service (lists show the badge without a join).
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    search_text = models.TextField(blank=True)
    # Workshop kit: the equipment to borrow (the step-by-step sheet is KitStep rows).
    equipment_items = models.ManyToManyField("lending.Item", blank=True, related_name="+")
    equipment_kits = models.ManyToManyField("lending.Kit", blank=True, related_name="+")

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "visibility", "-published_at"], name="resources_listing"),
            models.Index(fields=["-updated_at"], name="resources_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ressources:detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("public-resources:detail", args=[self.pk, self.slug or "ressource"])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.is_published and self.visibility == self.Visibility.PUBLIC

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")


class ResourceAuthor(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="author_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["resource", "user"], name="resources_author_unique")]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.user_id}"


class ResourceFile(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)  # cleaned; shown escaped
    blob = models.FileField(upload_to=version_path, storage=private_storage, max_length=300)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    is_image = models.BooleanField(default=False)
    thumbnail = models.FileField(upload_to=version_path, storage=private_storage, max_length=300, blank=True)
    text = models.TextField(blank=True)
    downloads = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class KitStep(models.Model):
    """One step of a workshop kit's sheet."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)  # Markdown
    body_html = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class WorkshopKit(models.Model):
    """A workshop points to a resource as its kit (shown on the workshop's pages)."""

    workshop = models.ForeignKey("workshops.Workshop", on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="workshop_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["workshop", "resource"], name="resources_workshop_kit_unique")]

    def __str__(self) -> str:
        return f"{self.workshop_id} → {self.resource_id}"


class Collection(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resource_collections")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # Shared: every member sees it (on the owner's profile and the resources in it); else private.
    is_shared = models.BooleanField(default=False)
    # Each member's "Favoris", made on their first save.
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resources = models.ManyToManyField(Resource, through="CollectionItem", related_name="collections")

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner"], condition=Q(is_default=True),
                                    name="resources_one_default_collection"),
        ]

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["collection", "resource"],
                                               name="resources_collection_item_unique")]

    def __str__(self) -> str:
        return f"{self.collection_id}: {self.resource_id}"


class Rating(models.Model):
    class Score(models.IntegerChoices):
        HIGHLY = 4, _("Highly recommended")
        RECOMMENDED = 3, _("Recommended")
        LITTLE = 2, _("Little recommended")
        NOT = 1, _("Not recommended")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="resources_one_rating"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=4), name="resources_rating_score"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.score}"


class Report(models.Model):
    class Reason(models.TextChoices):
        OUTDATED = "outdated", _("Outdated")
        WRONG = "wrong", _("Contains errors")
        INAPPROPRIATE = "inappropriate", _("Inappropriate")
        DUPLICATE = "duplicate", _("Duplicate of another resource")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("report status", "Open")
        RESOLVED = "resolved", pgettext_lazy("report status", "Resolved")
        DISMISSED = "dismissed", pgettext_lazy("report status", "Dismissed")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    comment = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="resources_report_open")]
        constraints = [
            # One open report per member and resource (reporting twice says nothing new).
            models.UniqueConstraint(fields=["resource", "reporter"], condition=Q(status="open"),
                                    name="resources_one_open_report"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.reason}"
