"""Lines that a copied news page carries besides the article: menus, cookie banners, share
buttons, advertising labels, press-release end marks.

Two strengths: `is_chrome` is safe anywhere in the text (a line that is nothing but a button or
a label); `is_banner` also matches sentences about cookies or consent, so it is only applied
before the article's first paragraph and after its last, where an article sentence cannot be.
"""
from __future__ import annotations

import re

from .lexicon import fold

# Whole lines that are page furniture, folded (lowercase, no accents), in French and English.
_CHROME_LINES = frozenset(p.strip() for p in """
menu, accueil, home, share, share this article, partager, partagez, partager cet article, imprimer, print,
email, courriel, facebook, twitter, x, linkedin, whatsapp, bluesky, threads, reddit, advertisement,
advertising, publicite, annonce, sponsored, commandite, search, rechercher, recherche, subscribe,
s'abonner, abonnez-vous, sign in, log in, se connecter, connexion, newsletter, infolettre, lire aussi,
a lire aussi, read more, read also, related, sur le meme sujet, close, fermer, listen, ecouter,
copy link, copier le lien, back to top, retour en haut, skip to content, skip to main content,
aller au contenu, aller au contenu principal, passer au contenu principal, -30-, ###, fin, end, top,
comments, commentaires, reagir, voir les commentaires, view comments, continue reading, lire la suite,
associated links, liens connexes, media relations, relations avec les medias, news provided by,
nouvelles fournies par, share this article, partager cet article, related stories, related topics
""".split(","))
_CHROME_WORDS = frozenset(w for p in _CHROME_LINES for w in p.split()) | frozenset(
    "news nouvelles actualites actualite monde world politics politique economie economy business "
    "sports sport culture arts opinion opinions international national regional local science "
    "sante health videos video podcasts balados live direct en environnement environment "
    "techno technology the la le les et and vs".split())
# Material-icon ligature names and similar widget words that copy along as text ("account_circle").
_ICON = re.compile(r"^[a-z]+(?:_[a-z]+)+$|^(?:search|menu|close|person|account|expand_more|expand_less|"
                   r"chevron_(?:left|right)|arrow_\w+|more_vert|more_horiz|share|play_arrow|volume_up|"
                   r"notifications|bookmark|open menu|close menu|toggle navigation|en \| fr|fr \| en|en fr|fr en)$")
# Comment widgets, closing notes and sign-up prompts: short lines, anywhere.
_WIDGET = re.compile(
    r"^(?:\d+\s+)?(?:comments?|commentaires?|reactions?|replies|reponses?)$"
    r"|\b(?:repondre au commentaire|signaler (?:un )?(?:abus|ce commentaire)|log ?in to comment"
    r"|join the conversation|leave a comment|laisser un commentaire|add a comment|ajouter un commentaire"
    r"|report abuse|show comments|afficher les commentaires|reply to comment)\b"
    r"|^(?:more to come|more details to come|plus de details a venir|details a venir|this is a developing story"
    r"|this story is developing|cette nouvelle est en developpement|l'article sera mis a jour|breaking news"
    r"|derniere heure|related (?:stories|topics|articles|coverage)|sur le meme theme|dans la meme rubrique"
    r"|also read|voir aussi|lire aussi|most (?:read|popular)|les plus lus|trending|tendances"
    r"|sign up for (?:our|the)\b.*|inscrivez-vous a\b.*|abonnez-vous a\b.*|get the latest\b.*"
    r"|(?:updated|mis a jour)?\s*(?:il y a|\d+)\s+\d*\s*(?:min(?:utes?)?|h(?:ours?|eures?)?|jours?|days?)(?: ago)?"
    r"|with inputs from (?:agencies|pti|ani)|avec agences)$"
    r"|^(?:tags?|mots[- ]cles?|sujets?|topics?|themes?|keywords?|etiquettes?)\s*:"
    r"|^[^/|]{2,40}\s[/|]\s(?:redaction|staff|newsroom|desk|web|la redaction|the newsroom)$")
# "Morning Show 6am - 9am", "Le 6 à 9 avec Marie", "Le Journal de 7 h": a programme line, not a headline.
_PROGRAMME = re.compile(r"\b\d{1,2}\s*(?:[ap]\.?m\.?|h(?:\d\d)?|:\d\d)?\s*(?:-|–|to|a)\s*\d{1,2}\s*"
                        r"(?:[ap]\.?m\.?|h(?:\d\d)?|:\d\d)\b|^le \d{1,2} a \d{1,2}\b|^le journal de \d{1,2} ?h\b")
_READING_TIME = re.compile(r"^(?:\d+\s*min(?:utes?)?\s*(?:read|de lecture)|(?:temps de )?lecture\s*:?\s*\d+\s*min(?:utes?)?)$")
_NAV_SEPARATORS = re.compile(r"\s[|•·›>/]\s|\s{2,}|\t")
_BANNER = re.compile(
    r"\bcookies?\b|\btemoins\b|\bconsent|\bconsentement\b|\baccept(?:er)? (?:all|tout)\b|\btout accepter\b"
    r"|\bprivacy policy\b|politique de confidentialite|\bterms of (?:use|service)\b"
    r"|conditions d'utilisation|\bjavascript\b|\bad ?blocker\b|bloqueur de pub")
_RIGHTS = re.compile(r"all rights reserved|tous droits reserves|^©|^\(c\) "
                     r"|^(?:additional )?(?:reporting|writing|editing) by\b.{0,80}$"  # wire credits
                     r"|^(?:for (?:further|more) information|renseignements|pour (?:plus de|en savoir plus)"
                     r" renseignements|media contacts?|contacts? (?:media|pour les medias))\b")


def _key(line: str) -> str:
    return re.sub(r"\s+", " ", fold(line).strip(" .:!-–—")).replace("’", "'")


def is_chrome(line: str) -> bool:
    """A line that is a button, a label, a menu or a reading-time note: never article text."""
    key = _key(line)
    if (not key or key in _CHROME_LINES or fold(line).strip() in _CHROME_LINES or _READING_TIME.match(key)
            or _RIGHTS.search(key) or _ICON.match(key) or (len(key) < 80 and _WIDGET.search(key))):
        return True
    if is_menu(line):
        return True
    words = key.split()
    return len(words) >= 3 and all(w in _CHROME_WORDS for w in words)  # Accueil Monde Politique


def is_menu(line: str) -> bool:
    """A row of navigation links: "Home | World | Asia", "Régions > Charleroi"."""
    parts = [p for p in _NAV_SEPARATORS.split(line.strip()) if p.strip()]
    # Link labels are a few words without a sentence's end: "end.  Next" is prose with two spaces.
    if len(parts) >= 3 and all(len(p.split()) <= 4 and not p.rstrip().endswith((".", "!", "?", ",")) for p in parts):
        return True
    crumbs = [p for p in re.split(r"\s[>›»]\s", line) if p.strip()]
    return len(crumbs) >= 2 and all(len(p.split()) <= 4 for p in crumbs)


def is_programme(line: str) -> bool:
    """A broadcast schedule line ("Morning Show 6am - 9am"), found above copied radio stories."""
    return len(line.split()) <= 14 and bool(_PROGRAMME.search(_key(line)))


def is_banner(line: str) -> bool:
    """Chrome, or a cookie/consent/privacy banner sentence."""
    return is_chrome(line) or bool(_BANNER.search(_key(line)))
