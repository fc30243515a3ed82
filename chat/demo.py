"""Demo discussions for `seed_demo`, made through the real services (idempotent)."""

from chat import services
from chat.models import Message
from members.demo import DEMO_DOMAIN
from members.models import Territory, User
from members.spaces import network_space
from workgroups.models import Workgroup


def _user(local):
    return User.objects.get(email=f"{local}{DEMO_DOMAIN}")


# (room, author, body)
def _messages():
    network = services.room_for_space(network_space())
    causses = services.room_for_space(Territory.objects.get(slug="pays-des-causses").space)
    linux = services.room_for_space(Workgroup.objects.get(name="Réemploi et Linux").space)
    return [
        (network, "coordination", "Bonjour à toutes et à tous ! Ce salon est celui de **tout le réseau**."),
        (network, "ines.garcia", "Quelqu'un a un modèle d'affiche pour la Fête de l'Internet ?"),
        (network, "jeanne.roux", "Oui, je le dépose dans les ressources cet après-midi."),
        (causses, "referent", "Rappel : réunion des lieux du territoire jeudi à 14 h, en visio."),
        (causses, "animateur", "J'y serai. @**Thomas Vidal** tu as toujours le vidéoprojecteur ?"),
        (linux, "thomas.vidal", "J'ai reçu 12 PC de la mairie : qui vient m'aider samedi ?"),
        (linux, "youssef.amrani", "Moi ! J'apporte les clés USB d'installation."),
    ]


def seed(log=print):
    if Message.objects.exists():
        return
    messages = _messages()
    for room, author, body in messages:
        services.message_send(actor=_user(author), room=room, body=body)
    direct = services.direct_room_open(actor=_user("animateur"), others=[_user("thomas.vidal")])
    services.message_send(actor=_user("animateur"), room=direct, body="Merci pour la fiche IPP, ça marche !")
    services.message_send(actor=_user("thomas.vidal"), room=direct, body="Avec plaisir 🙂")
    log(f"Demo chat: {len(messages) + 2} messages in 4 rooms.")
