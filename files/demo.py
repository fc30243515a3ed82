"""Demo files for `seed_demo`: a few folders and files in the drives of the network, of the Pays
des Causses and of the workgroup "Accompagnement aux démarches en ligne"; one file with two
versions, one in the network's trash.

Every byte is generated here (text, CSV, a small PNG drawn with Pillow, a one-page PDF written by
hand): no asset is copied. Everything goes through the services (`files.services`) as a member
would do it, so quotas, versions, thumbnails, extracted text and activities are the rules' own.

Idempotent: a folder is found by its name under its parent, a file by its name in its folder (a
live one, or the trashed one for the trash); a rerun creates nothing twice.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Space
from files import services
from files.models import Drive, File, Folder
from members.demo import DEMO_DOMAIN
from members.models import Territory, User
from members.spaces import network_space
from workgroups.models import Workgroup

TERRITORY = "Pays des Causses"
WORKGROUP = "Accompagnement aux démarches en ligne"
TWO_VERSIONS = "Compte rendu du comité de pilotage.txt"
TRASHED = "Brouillon invitation Assises.txt"


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A valid one-page PDF (Helvetica, WinAnsi) showing `title` and `lines`."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = [f"BT /F1 16 Tf 56 780 Td ({escape(title)}) Tj ET"]
    y = 750
    for line in lines:
        text.append(f"BT /F1 11 Tf 56 {y} Td ({escape(line)}) Tj ET")
        y -= 16
    stream = "\n".join(text).encode("cp1252", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def png_bytes(width: int, height: int, colours: list[tuple[int, int, int]]) -> bytes:
    """A small PNG of vertical bands of `colours` (Pillow)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colours[0])
    draw = ImageDraw.Draw(image)
    band = width // len(colours)
    for index, colour in enumerate(colours):
        draw.rectangle([index * band, 0, (index + 1) * band, height], fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class DemoFile:
    folder: str  # "" for the root; "A/B" for a subfolder
    name: str
    content: bytes
    content_type: str


def _user(local: str) -> User:
    return User.objects.get(email=f"{local}{DEMO_DOMAIN}")


def _drive(space: Space) -> Drive:
    return services.space_drive_create(space=space)  # found, or made for a space older than the drives


def _folder(actor: User, drive: Drive, path: str, made: list[Folder]) -> Folder:
    folder = Folder.objects.get(drive=drive, parent=None)
    for name in [part for part in path.split("/") if part]:
        child = (Folder.objects.filter(parent=folder, name=name, deleted_at__isnull=True, trash_root__isnull=True)
                 .first())
        if child is None:
            child = services.folder_create(actor=actor, parent_id=folder.pk, name=name)
            made.append(child)
        folder = child
    return folder


def _upload(actor: User, folder: Folder, spec: DemoFile) -> None:
    upload = SimpleUploadedFile(spec.name, spec.content, content_type=spec.content_type)
    services.files_upload(actor=actor, folder_id=folder.pk, uploads=[upload])


def _live(folder: Folder, name: str) -> File | None:
    return File.objects.filter(folder=folder, name=name, deleted_at__isnull=True, trash_root__isnull=True).first()


def _files() -> dict[str, tuple[str, list[DemoFile]]]:
    """{space key: (actor local part, files)}."""
    network = [
        DemoFile("Communication", "Charte graphique du réseau.pdf", pdf_bytes("Charte graphique du reseau Maillage", [
            "Couleur principale : bleu canard (#005F6B). Couleur d'accent : orange (#E8772E).",
            "Typographie : Marianne pour les titres, Arial ou Liberation Sans dans les documents.",
            "Le logo se place en haut a gauche, avec une marge egale a la hauteur du M.",
            "Toujours citer le reseau et le lieu d'accueil sur les affiches d'ateliers.",
        ]), "application/pdf"),
        DemoFile("Communication", "Bandeau des affiches.png",
                 png_bytes(600, 160, [(0, 95, 107), (232, 119, 46), (245, 240, 230)]), "image/png"),
        DemoFile("Comptes rendus", "Compte rendu de l'assemblée générale.txt", _text(
            "Assemblée générale du réseau, 14 mars",
            "Présents : 23 structures sur 31.",
            "Rapport d'activité adopté à l'unanimité ; budget 2026 adopté (2 abstentions).",
            "Prochaine étape : un groupe de travail sur l'accueil des publics allophones.",
        ), "text/plain"),
        DemoFile("Modèles", "Feuille d'émargement.csv", _text(
            "Nom;Prénom;Commune;Signature",
            ";;;", ";;;", ";;;",
        ), "text/csv"),
    ]
    causses = [
        DemoFile("Permanences", "Permanences du trimestre.csv", _text(
            "Lieu;Jour;Horaires;Animateur",
            "Cyber-base de Laroque-des-Arcs;mardi;14h-17h;Karim Benali",
            "Médiathèque de Gramat-le-Vieux;mercredi;10h-12h;Jeanne Roux",
            "PAPI de Limogne;jeudi;9h-12h;Thomas Vidal",
        ), "text/csv"),
        DemoFile("Photos des ateliers", "Atelier tablette à Gramat.png",
                 png_bytes(480, 320, [(120, 160, 90), (200, 200, 180), (60, 90, 140)]), "image/png"),
    ]
    group = [
        DemoFile("Fiches pratiques", "Fiche ANTS - permis de conduire.pdf", pdf_bytes(
            "Permis de conduire sur le site de l'ANTS", [
            "1. Se connecter avec FranceConnect (impots.gouv, Ameli ou La Poste).",
            "2. Choisir Permis de conduire, puis le motif de la demande.",
            "3. Preparer la photo-signature numerique (code e-photo) et un justificatif de domicile.",
            "4. Suivre la demande dans l'espace ANTS : pas besoin de se deplacer en prefecture.",
        ]), "application/pdf"),
        DemoFile("Fiches pratiques", "Liens utiles CAF et Ameli.txt", _text(
            "CAF : caf.fr, rubrique Mon Compte ; simulateurs d'aides sans se connecter.",
            "Ameli : ameli.fr, l'attestation de droits se télécharge en deux clics.",
            "Impôts : impots.gouv.fr, la messagerie sécurisée répond en 48 h environ.",
        ), "text/plain"),
    ]
    return {"network": ("coordination", network), "territory": ("referent", causses),
            "workgroup": ("ines.garcia", group)}


def _spaces() -> dict[str, Space | None]:
    territory = Territory.objects.filter(name=TERRITORY).select_related("space").first()
    group = Workgroup.objects.filter(name=WORKGROUP).select_related("space").first()
    return {"network": network_space(),
            "territory": territory.space if territory is not None else None,
            "workgroup": group.space if group is not None else None}


def seed(log: Callable[[str], object] = print) -> int:
    """The demo folders and files; returns how many files were created."""
    spaces = _spaces()
    made_folders: list[Folder] = []
    made_files = 0
    for key, (local, specs) in _files().items():
        space = spaces[key]
        if space is None:
            continue
        actor = _user(local)
        drive = _drive(space)
        for spec in specs:
            folder = _folder(actor, drive, spec.folder, made_folders)
            if _live(folder, spec.name) is None:
                _upload(actor, folder, spec)
                made_files += 1
    network = spaces["network"]
    if network is not None:
        actor = _user("coordination")
        drive = _drive(network)
        reports = _folder(actor, drive, "Comptes rendus", made_folders)
        # Two versions: the draft, then the version with the decisions.
        if _live(reports, TWO_VERSIONS) is None:
            _upload(actor, reports, DemoFile("Comptes rendus", TWO_VERSIONS, _text(
                "Comité de pilotage du 2 octobre (projet)",
                "Ordre du jour : bilan des Pass numériques, calendrier des Assises.",
            ), "text/plain"))
            _upload(_user("referent"), reports, DemoFile("Comptes rendus", TWO_VERSIONS, _text(
                "Comité de pilotage du 2 octobre",
                "Ordre du jour : bilan des Pass numériques, calendrier des Assises.",
                "Décisions : 1 200 Pass distribués ; les Assises auront lieu à Saint-Aurèle le 12 mars.",
                "Relevé validé par Claire Dumas et Marc Delpech.",
            ), "text/plain"))
            made_files += 1
        # One in the trash.
        root = Folder.objects.get(drive=drive, parent=None)
        if not File.objects.filter(drive=drive, name=TRASHED, deleted_at__isnull=False).exists():
            if _live(root, TRASHED) is None:
                _upload(actor, root, DemoFile("", TRASHED, _text(
                    "Invitation (brouillon) : les Assises de la médiation numérique, le 12 mars à Saint-Aurèle.",
                ), "text/plain"))
                made_files += 1
            trashed = _live(root, TRASHED)
            if trashed is not None:
                services.file_trash(actor=actor, file_id=trashed.pk)
    log(f"Demo files ready: {made_files} new files, {len(made_folders)} new folders.")
    return made_files
