"""Demo workgroups for `seed_demo`, made through the real services (idempotent)."""

from datetime import timedelta

from django.utils import timezone

from members.demo import DEMO_DOMAIN
from members.models import Territory, User
from workgroups import services
from workgroups.models import Workgroup

# name, manager, members, visibility, join policy, territory slug, tags, purpose
GROUPS = [
    ("Accompagnement aux démarches en ligne", "ines.garcia", ["jeanne.roux", "amelie.faure", "animateur"],
     "public", "open", None, ["accompagnement démarches", "France services"],
     "Partager nos fiches pratiques (ANTS, CAF, impots.gouv), nos astuces et nos difficultés "
     "pour accompagner les personnes dans leurs démarches administratives en ligne."),
    ("Réemploi et Linux", "thomas.vidal", ["youssef.amrani"], "private", "request", "pays-des-causses",
     ["Linux", "réemploi"],
     "Reconditionner les ordinateurs donnés au réseau, choisir une distribution adaptée et former "
     "les animateurs à son installation."),
    ("Préparation des Assises 2027", "coordination", ["referent"], "secret", "invitation", None,
     ["événement"],
     "Programme, intervenants et logistique des Assises de la médiation numérique (groupe restreint)."),
    ("Fête de l'Internet 2026", "paul.lacombe", ["lucas.bonnet", "nadia.cherif"], "public", "open", None,
     ["événement", "montage vidéo"],
     "Organisation commune des animations de la Fête de l'Internet dans les espaces du réseau."),
]


def _user(local):
    return User.objects.get(email=f"{local}{DEMO_DOMAIN}")


def seed(log=print):
    created = 0
    for name, manager, members, visibility, policy, territory_slug, tags, purpose in GROUPS:
        if Workgroup.objects.filter(name=name).exists():
            continue
        territory = Territory.objects.get(slug=territory_slug) if territory_slug else None
        group = services.workgroup_create(
            actor=_user(manager), name=name, purpose=purpose, visibility=visibility, join_policy=policy,
            territory=territory, tags=tags,
        )
        for local in members:
            member = _user(local)
            if policy == "open":
                services.workgroup_join(actor=member, workgroup=group)
            elif policy == "request":
                request = services.join_request_create(actor=member, workgroup=group, message="Je suis partant.")
                services.join_request_accept(actor=_user(manager), join_request=request)
            else:
                invitation = services.invitation_create(actor=_user(manager), workgroup=group, invitee=member)
                services.invitation_accept(actor=member, invitation=invitation)
        created += 1
        if name == "Réemploi et Linux":
            services.join_request_create(actor=_user("animateur"), workgroup=group,
                                         message="Je voudrais installer Linux sur les postes de mon EPM.")
        elif name == "Préparation des Assises 2027":
            services.invitation_create(actor=_user(manager), workgroup=group, invitee=_user("animatrice"),
                                       message="Tu pourrais animer un atelier ?")
        elif name == "Fête de l'Internet 2026":
            # Over since October: archived, still readable.
            Workgroup.objects.filter(pk=group.pk).update(end_date=timezone.localdate() - timedelta(days=30))
            services.workgroups_archive_expired()
    log(f"Demo workgroups ready: {Workgroup.objects.count()} groups ({created} new).")
    return created
