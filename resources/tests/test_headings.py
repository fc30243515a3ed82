"""A resource's body under its page's h2: its highest heading becomes an h3, none skipped."""

from core.markdown import render


def test_the_highest_heading_becomes_the_level_asked_and_the_others_follow():
    html = render("## Objectif\n\nTexte.\n\n### Matériel\n\nUn vidéoprojecteur.", top_level=3)
    assert "<h3>Objectif</h3>" in html
    assert "<h4>Matériel</h4>" in html


def test_a_text_starting_at_a_deep_level_is_raised():
    assert "<h3>Étape</h3>" in render("#### Étape", top_level=3)
    assert "<h5>Titre</h5>" in render("# Titre", top_level=5)


def test_posts_keep_their_two_levels_down():
    assert "<h3>Question</h3>" in render("# Question")
    assert "<h6>Détail</h6>" in render("###### Détail")
