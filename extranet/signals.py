"""Structural links kept by signals: every territory has its space.

Territories are created by services, by Wagtail's editing views and by the directory
import; the space must exist whichever path created the territory, so this one rule
lives on the model's save rather than in each caller.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from extranet.models import Space
from members.models import Territory


@receiver(post_save, sender=Territory, dispatch_uid="territory_space")
def ensure_territory_space(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        Space.objects.get_or_create(kind=Space.Kind.TERRITORY, territory=instance)
