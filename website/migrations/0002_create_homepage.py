"""Replace Wagtail's placeholder page by the French home page of the network.

`wagtailcore` creates a root page, a "Welcome to your new Wagtail site!" page (plain
`Page`, slug "home", depth 2) and a default Site pointing at it. This migration adds a
`HomePage` under the root, points the default Site (localhost:80) at it and removes the
placeholder if nobody has added pages under it. Historical models have no treebeard
methods, so the materialised path is computed by hand (steps of 4 base-36 digits).

Reversing puts back a plain welcome page, points the sites at it and removes the home
page with its subtree.
"""

from django.db import migrations
from django.utils import timezone

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
HOME_SLUG = "accueil"
WELCOME_TITLE = "Welcome to your new Wagtail site!"

INTRO = (
    "<p>Maillage relie les espaces publics numériques, points d'accès public à Internet "
    "et cyber-bases du territoire. Animatrices et animateurs multimédia y partagent leurs "
    "savoir-faire, leurs ateliers, leurs ressources et leur matériel, pour mieux "
    "accompagner chacune et chacun vers le numérique.</p>"
)


def _int_to_step(number):
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return digits.rjust(STEPLEN, "0")


def _step_to_int(step):
    return int(step, len(ALPHABET))


def _next_child_path(Page, parent):
    # Compared as numbers, not strings: database collations may not sort "000A" after "0009".
    paths = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).values_list("path", flat=True)
    number = max((_step_to_int(path[-STEPLEN:]) for path in paths), default=0) + 1
    return parent.path + _int_to_step(number)


def _refresh_numchild(Page, parent):
    parent.numchild = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).count()
    parent.save(update_fields=["numchild"])


def _default_locale(apps, root):
    Locale = apps.get_model("wagtailcore", "Locale")
    if root.locale_id:
        return root.locale_id
    return Locale.objects.order_by("pk").values_list("pk", flat=True).first()


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("website", "HomePage")

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None or HomePage.objects.exists():
        return

    content_type, _ = ContentType.objects.get_or_create(app_label="website", model="homepage")
    now = timezone.now()
    home = HomePage.objects.create(
        title="Accueil",
        draft_title="Accueil",
        slug=HOME_SLUG,
        content_type=content_type,
        path=_next_child_path(Page, root),
        depth=root.depth + 1,
        numchild=0,
        url_path=f"/{HOME_SLUG}/",
        locale_id=_default_locale(apps, root),
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
        intro=INTRO,
    )

    page_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    placeholders = Page.objects.filter(content_type=page_type, depth=2, slug="home", numchild=0)
    # Sites pointing at the placeholder would be deleted with it (CASCADE): move them first.
    Site.objects.filter(root_page__in=placeholders).update(root_page=home)
    placeholders.delete()
    _refresh_numchild(Page, root)

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.filter(hostname="localhost", port=80).first() or Site(hostname="localhost", port=80)
    site.hostname = "localhost"
    site.port = 80
    site.root_page_id = home.pk
    site.is_default_site = True
    site.site_name = site.site_name or "Maillage"
    site.save()


def remove_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("website", "HomePage")

    homes = list(HomePage.objects.all())
    if not homes:
        return
    root = Page.objects.filter(depth=1).order_by("path").first()
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    welcome = Page.objects.create(
        title=WELCOME_TITLE,
        draft_title=WELCOME_TITLE,
        slug="home",
        content_type=page_type,
        path=_next_child_path(Page, root),
        depth=root.depth + 1,
        numchild=0,
        url_path="/home/",
        locale_id=_default_locale(apps, root),
        live=True,
        has_unpublished_changes=False,
    )
    for home in homes:
        Site.objects.filter(root_page_id=home.pk).update(root_page=welcome)
        # The subtree (standard pages...) goes with the home page.
        Page.objects.filter(path__startswith=home.path).delete()
    _refresh_numchild(Page, root)


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(create_homepage, remove_homepage),
    ]
