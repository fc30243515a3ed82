"""Counters of the library under real parallel requests: ratings' count and sum stay exact,
views are single F() updates (threads released together: `run_together`)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import ResourceFactory, UserFactory
from members.models import User
from resources import services
from resources.models import Collection, CollectionItem, Rating, Report, Resource


@pytest.mark.django_db(transaction=True)
def test_ratings_views_first_saves_and_reports_at_once():
    """One transactional test for every race of the library (each run is cheap)."""
    author = UserFactory()
    resource = ResourceFactory(created_by=author)
    raters = [UserFactory() for _ in range(10)]
    scores = [4, 3, 2, 1, 4, 4, 3, 2, 1, 4]  # 28 in all

    def rate(user_pk, score):
        return {"prepare": lambda: User.objects.get(pk=user_pk),
                "act": lambda user: services.rating_save(actor=user, resource_id=resource.pk, score=score)}

    results = run_together([rate(user.pk, score) for user, score in zip(raters, scores, strict=True)])
    assert outcomes(results) == ["ok"] * 10
    resource.refresh_from_db()
    assert (resource.rating_count, resource.rating_sum) == (10, 28)
    assert Rating.objects.filter(resource=resource).count() == 10

    # The same member rating twice at once: one rating, the count stays exact.
    again = run_together([rate(raters[0].pk, 1), rate(raters[0].pk, 2)])
    assert outcomes(again) == ["ok", "ok"]
    resource.refresh_from_db()
    assert resource.rating_count == 10
    assert resource.rating_sum in (25, 26)  # 28 - 4 + 1 or + 2, whichever came last
    assert resource.rating_sum == sum(Rating.objects.filter(resource=resource).values_list("score", flat=True))

    def view(index):  # ten visitors, each from their own address
        return {"prepare": lambda: Resource.objects.prefetch_related("authors").get(pk=resource.pk),
                "act": lambda loaded: services.resource_viewed(resource=loaded, user=AnonymousUser(),
                                                               viewer=f"192.0.2.{index}")}

    assert outcomes(run_together([view(index) for index in range(10)])) == ["ok"] * 10
    resource.refresh_from_db()
    assert resource.views == 10

    # A member's first five saves at once: one "Favoris" holding the five resources.
    others = [ResourceFactory(created_by=author) for _ in range(5)]
    saver = raters[1]

    def save(resource_pk):
        return {"prepare": lambda: User.objects.get(pk=saver.pk),
                "act": lambda user: services.collection_add(actor=user, resource_id=resource_pk).pk}

    saved = run_together([save(other.pk) for other in others])
    assert outcomes(saved) == ["ok"] * 5
    favourites = Collection.objects.get(owner=saver)
    assert (favourites.name, favourites.is_default) == ("Favoris", True)
    assert {value for _outcome, value in saved} == {favourites.pk}
    assert sorted(CollectionItem.objects.filter(collection=favourites).values_list("resource_id", flat=True)) == sorted(
        other.pk for other in others)

    # The same report sent three times at once: one report, two told they already reported.
    def report():
        return {"prepare": lambda: User.objects.get(pk=saver.pk),
                "act": lambda user: services.report_create(actor=user, resource_id=resource.pk, reason="wrong")}

    reported = run_together([report() for _ in range(3)], language="en")
    assert outcomes(reported) == ["invalid", "invalid", "ok"]
    assert {value.messages[0] for outcome, value in reported if outcome == "invalid"} == {
        "You have already reported this resource."}
    assert Report.objects.filter(resource=resource, reporter=saver).count() == 1


@pytest.mark.django_db
def test_a_view_is_one_update_without_reading_the_counter(django_assert_num_queries):
    resource = Resource.objects.prefetch_related("authors").get(pk=ResourceFactory().pk)
    visitor = UserFactory()
    with django_assert_num_queries(1) as captured:
        services.resource_viewed(resource=resource, user=visitor)
    sql = captured.captured_queries[0]["sql"]
    assert sql.startswith("UPDATE") and '"views" + 1' in sql.replace('"resources_resource".', "")
