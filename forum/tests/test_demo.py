"""`seed_demo` also makes a demo forum, through the services, idempotently."""

import io

import pytest
from django.core.management import call_command

from core.models import Notification
from forum import permissions
from forum.models import Category, Post, Topic
from members.models import User

pytestmark = pytest.mark.django_db


def user(local):
    return User.objects.get(email=f"{local}@maillage.test")


def test_the_demo_forum_spans_the_network_a_territory_and_a_private_group():
    call_command("seed_demo", stdout=io.StringIO())
    kinds = sorted(Category.objects.values_list("space__kind", flat=True))
    assert kinds == ["network", "network", "network", "territory", "workgroup"]
    linux = Category.objects.get(name="Distributions et installations")
    # The private group's category is not shown to a member outside it.
    assert not permissions.can_view_category(user("animateur"), linux)
    assert permissions.can_view_category(user("youssef.amrani"), linux)
    # The mention in the demo reached Thomas Vidal.
    assert Notification.objects.filter(recipient=user("thomas.vidal"), verb="forum.mentioned").count() == 1
    counts = (Category.objects.count(), Topic.objects.count(), Post.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Category.objects.count(), Topic.objects.count(), Post.objects.count()) == counts == (5, 5, 9)
