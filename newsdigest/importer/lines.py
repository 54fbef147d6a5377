"""What one line of text copied off a news page is: a headline, a byline, a date line, a photo
caption or credit, an outlet's name, or page furniture. Each recogniser looks at one line alone;
where the line stands is the layout's business (extract)."""
from __future__ import annotations

import re

from .boilerplate import is_banner, is_chrome, is_menu, is_programme
from .dates import Mention, find_dates, find_time
from .lexicon import calendar_words, fold

MAX_TITLE_WORDS = 25
MAX_SOURCE_WORDS = 6
TAIL_LINES = 6

MARKER = re.compile(r"^date\s*:?\s+(?P<iso>\d{4}-\d\d(?:-\d\d)?)(?:[ T](?P<clock>\d{1,2}:\d\d))?(?:\s+(?P<title>.*))?$", re.I)
STAMP = re.compile(
    r"^(?P<label>first published|published|posted|publi[ée]|mis en ligne|date de publication"
    r"|last updated|updated|mis [àa] jour|modifi[ée])(?:\s+(?:le|on|at))?\s*:?\s*(?P<rest>.+)$", re.I)
UPDATED_LABELS = ("updated", "last updated", "mis à jour", "mis a jour", "modifié", "modifie")
BYLINE = re.compile(r"^(?:par|by)\s+(?P<who>[A-ZÀ-Ý].{1,120})$", re.I)
_BYLINE_SPLIT = re.compile(r"\s*(?:,|\||\s[-–—]\s|/)\s*")
CAPTION_TAG = re.compile(r"\s*\[(?P<credit>[^\[\]]{2,40})\]\s*$")
_CAPTION_PAREN = re.compile(r"\s*\((?P<credit>[^()]*\bphoto\b[^()]*)\)\s*$", re.I)
_CAPTION_LABEL = re.compile(r"^(?:photo|cr[ée]dit photo|photo credit|l[ée]gende)\s*:\s*", re.I)
_DATELINE_HEAD = re.compile(r"^(?P<head>.{2,140}?)\s[-–—]{1,2}\s")
_DATELINE_PLACE = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý'’.\- ]*[A-ZÀ-Ý.](?=[\s,(]|$)")
_WIRE = re.compile(r"/\s*(?P<name>[^/]{2,40}?)\s*/")
_AGENCY = re.compile(r"\((?P<name>[^()]{2,40})\)")
_SOURCE_LINE = re.compile(
    r"^(?:sources?\s*:?\s+|©\s*|\(c\)\s*|[-–—]+\s*|avec\s+|with files from\s+|with\s+)?"
    r"\(?(?P<name>[^\W\d_][\w.'’&\- ]{0,58}?)\)?\.?$", re.I)
_OUTLET_WORDS = re.compile(r"\b(?:press|presse|agence|agency|news|nouvelles|radio|t[ée]l[ée]|tv|times|post|"
                           r"journal|herald|gazette|tribune|wire|newswire|reuters|bloomberg|media|m[ée]dias)\b",
                           re.I)
_SENTENCE_END = re.compile(r"[.:;,]$")
_BARE_BYLINE = re.compile(r"^(?P<who>[A-ZÀ-Ý][\w'’.-]+(?:\s+[A-ZÀ-Ý][\w'’.-]+){1,3})\s*(?:,|\||\s[-–—]\s)\s*"
                          r"(?P<outlet>[A-ZÀ-Ý][\w'’.&-]*(?:\s+[\w'’.&-]+){0,4})$")
_MASTHEAD_WORDS = re.compile(r"(?i)\b(?:daily|quotidien|hebdo|weekly|matin|soir|courier|courrier|ledger|herald|monitor|"
                             r"observer|report|info|infos|express|mail|chronicle|dispatch|wire|sport|actu|online|"
                             r"magazine|service|fm|\d{2,3}[,.]\d)\b")
# Photo credits as agencies print them: "(AP Photo/John Doe)", "THE CANADIAN PRESS/Jane Doe",
# "REUTERS/Jane Doe", "AFP via Getty Images", "Photo: Keystone/Anna Meier", "© Belga".
_CREDIT_TAIL = re.compile(
    r"(?:\(\s*(?P<paren>[^()]*\b(?:photo|image|crédit|credit|archives?)\b[^()]*)\)"
    r"|(?P<caps>\b[A-ZÀ-Ý][A-ZÀ-Ý&.\- ]{1,40}/\s*[A-ZÀ-Ý][\w'’.\-]+(?:\s+[A-ZÀ-Ý][\w'’.\-]+){1,3}"
    r"(?:\s*/\s*[\w.\- ]{1,30})?)"
    r"|(?P<getty>\b[\w.\- ]{0,30}\b(?:via )?Getty Images\b.*)"
    r"|(?P<copy>©\s*[\w.\-/ ]{2,40}))\s*$")
_CREDIT_ONLY = re.compile(r"^(?:photo|image|crédit(?: photo)?|credit|photo credit|illustration)\s*:\s*(?P<who>.+)$"
                          r"|^(?:©|\(c\))\s*(?P<copy>[^\d].{1,40})$|^(?P<getty>(?:[\w.\- ]{1,30}\s)?(?:via )?Getty Images)$", re.I)
# A caption sentence with its credit after it: "... at Peyragudes. Photo: Velo Dispatch / Ben Carrow",
# "... son enlèvement. PHOTO ARCHIVES AIDE SAHEL", "... au Sentier (VD). Keystone / Archives".
_SENTENCE_THEN_CREDIT = re.compile(
    r"[.!?»)]\s+(?P<credit>(?i:photo|image|cr[ée]dit|credit)\s*:.{1,80}|(?i:photo|©)\s.{1,80}"
    r"|[A-ZÀ-Ý][\w'’.\-]+(?:\s+[A-ZÀ-Ý][\w'’.\-]+)*\s*/\s*[A-ZÀ-Ý][\w'’.\- ]{1,60}"
    r"|[A-ZÀ-Ý][A-ZÀ-Ý'’.\- ]{6,80})$")
# Sentences that describe a picture: "A sign is seen in Toronto", "Firefighters work near the site".
_CAPTION_VERB = re.compile(r"\b(?:is|are) (?:seen|pictured|shown|displayed)\b|\bpose[sd]? for\b|\bphotographed\b"
                           r"|\bon pr[ée]sente\b|\bsur cette photo\b|\bphoto d'archives\b", re.I)


def clean_line(raw: str) -> str:
    # Zero-width characters come along with copied HTML; non-breaking spaces inside a line are
    # typography and stay, at its ends (and on lines holding only one) they are padding.
    line = raw.replace("\u200b", "").replace("\ufeff", "").replace("\u2060", "")
    if is_menu(line):  # "Politics   Brussels   EU": the wide gaps are what make it a menu; keep them visible
        return " | ".join(part.strip() for part in re.split(r"\s{2,}|\t+", line.strip()) if part.strip())
    return re.sub(r"[ \t]+", " ", line).strip()


def same_text(a: str, b: str) -> bool:
    return letters(a) == letters(b)


def letters(text: str) -> str:
    """The text's letters and digits, folded: what two copies of one line have in common."""
    return re.sub(r"\W+", "", fold(text))


def looks_like_headline(line: str) -> bool:
    """A line that can be a title: a few words, not ending like a sentence or a label, not a
    section label in capitals, a programme line, a dateline, a date line or a photo credit."""
    bare = line.rstrip("\"'”»’ ")
    words = [w for w in line.split() if any(c.isalnum() for c in w)]
    if not (3 <= len(words) <= MAX_TITLE_WORDS) or _SENTENCE_END.search(bare):
        return False
    if not (line[0].isalnum() or line[0] in "«\"“'‘") or line.endswith("…") or bare.endswith("...") or " | " in line:
        return False  # a kicker or a "Title | Outlet" tab
    letters = [c for c in line if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and (len(words) <= 4 or re.search(r"\s[·•|/:–-]\s", line)):
        return False  # "WORLD NEWS", "RUGBY · SIX NATIONS": a label
    if is_programme(line) or credit_of(line) or _DATELINE_HEAD.match(line) and _dateline_like(line):
        return False
    # A full date with its weekday is a caption's ("Tuesday, Feb. 4, 2025"), not a headline's.
    return not any(m.day and m.year and m.weekday is not None for m in find_dates(line, "en") + find_dates(line, "fr"))


def _dateline_like(line: str) -> bool:
    m = _DATELINE_HEAD.match(line)
    head = m.group("head") if m else ""
    return bool(_WIRE.search(head) or _AGENCY.search(head) or re.match(r"^[A-ZÀ-Ý][A-ZÀ-Ý'’.\- ]{2,}(?:,|$)", head))


def credit_of(line: str) -> str | None:
    """The photo credit a line ends with, if any."""
    m = _CREDIT_TAIL.search(line) or _CREDIT_ONLY.match(line)
    if not m:
        return None
    groups = {k: v for k, v in m.groupdict().items() if v}
    text = next(iter(groups.values()))
    return text.strip(" ()")


def outlet_name(raw: str) -> str:
    """"YONHAP" -> "Yonhap"; short acronyms (AFP, CNW) and mixed case stay as written."""
    name = raw.strip(" .,-–—()[]")
    if name.isupper() and sum(c.isalpha() for c in name) > 4:
        # Words without a vowel are acronyms (AFP, CNN) and stay in capitals.
        return " ".join(w if not re.search(r"[AEIOUY]", w) else w.capitalize() for w in name.split())
    return name


def parse_byline(who: str) -> tuple[str | None, str | None]:
    """"Jean Roy, La Presse Canadienne" -> (author, outlet); "Reuters" -> (None, outlet)."""
    parts = [p for p in _BYLINE_SPLIT.split(who.strip()) if p]
    if not parts:
        return None, None
    first, rest = parts[0], parts[1:]
    outlet = outlet_name(rest[0]) if rest else None
    is_person = (not _OUTLET_WORDS.search(first) and not (first.isupper() and len(first.split()) == 1)
                 and 1 <= len(first.split()) <= 6)
    if is_person:
        return first, outlet
    return None, outlet_name(first)


def source_line(line: str) -> str | None:
    """The outlet a trailing line such as "Yonhap", "Source : AFP" or "(Reuters)" names."""
    if is_chrome(line) or len(line.split()) > MAX_SOURCE_WORDS or len(line) > 60:
        return None
    m = _SOURCE_LINE.match(line)
    if not m or not m.group("name")[0].isupper() or (line.endswith(".") and not line.endswith(").")):
        return None  # a sentence, not a name
    name = m.group("name").strip()
    if sum(1 for w in name.split()[1:] if len(w) >= 4 and w.islower()) > 1:
        return None  # names are capitalised, bar one word in French style ("La Presse canadienne")
    if fold(name) in calendar_words() or find_dates(name, "en") or find_dates(name, "fr"):
        return None
    return outlet_name(name)


def caption_parts(line: str) -> tuple[str, str | None] | None:
    """(caption, photo credit) when `line` is a photo caption or credit, else None. A line that
    is only a credit ("Photo: Keystone/Anna Meier") gives an empty caption."""
    for pattern in (CAPTION_TAG, _CAPTION_PAREN):
        m = pattern.search(line)
        if m and m.start() > 0:
            return line[: m.start()].strip(), _credit_name(m.group("credit"))
    only = _CREDIT_ONLY.match(line)
    if only and len(line.split()) <= 8 and not _SENTENCE_END.search(line):
        who = only.group("who") or only.group("copy") or only.group("getty")
        if who and ("/" in who or all(w[:1].isupper() or not w[:1].isalpha() for w in who.split())):
            return "", _credit_name(who)
    m = _CAPTION_LABEL.match(line)
    if m and len(line) > m.end():
        return line[m.end():].strip(), None
    m = _CREDIT_TAIL.search(line)
    if m and m.start() > 0 and (m.group("paren") or m.group("caps") or m.group("getty")):
        before = line[: m.start()].strip()
        if len(before.split()) >= 4 and re.search(r"[.!?»\"”]$", before):
            return before, _credit_name(m.group(0))
    m = _SENTENCE_THEN_CREDIT.search(line)
    if m and len(line[: m.start()].split()) >= 4:
        return line[: m.start() + 1].strip(), _credit_name(m.group("credit"))
    if _CAPTION_VERB.search(line) and len(line.split()) <= 60:
        return line, None
    return None


def _credit_name(credit: str) -> str | None:
    """"AP Photo/John Doe" -> "AP"; "Photo : AFP" -> "AFP"; "THE CANADIAN PRESS/Jane Doe" ->
    "The Canadian Press": the organisation a credit names (the photographer is not the source)."""
    text = re.sub(r"(?i)\b(?:photo|image|cr[ée]dit|d'archives|archives?|via)\b\s*:?\s*", "", credit)
    text = text.replace("©", "").strip(" :()[]")
    org = text.split("/")[0].strip(" ,")
    return outlet_name(org) if org else None



_CLOCK_WORD = re.compile(r"^(?:at|à|a|le|h|hrs?|heures?|[ap]\.?m\.?|[A-Z]{1,4}T|IST|GMT|UTC|CET|CEST|HE|HNE|HAE|ET|PT"
                         r"|[\d:.,+\-–h]+)$", re.I)
_DATE_LABELS = frozenset({"publie", "publiee", "published", "posted", "updated", "mis", "jour", "modifie", "mise",
                          "ligne", "last", "first", "edition", "updated:", "hours", "heures", "minutes", "days",
                          "jours", "ago", "lecture", "read", "reading", "temps", "min"})


def date_line(line: str) -> tuple[str, str] | None:
    """(text before the date, the line) for a short line that states a date: "Mar 3, 2025 14:05",
    "The Hindu Bureau 3/12/2025 14:05 IST", "Le Temps, 03.03.2025, 09:15", "Lundi 3 mars 2025"."""
    if len(line.split()) > 16 or line.endswith("."):
        return None
    dates = [m for m in find_dates(line, "fr") + find_dates(line, "en") if m.day]
    if not dates:
        return None
    first = min(dates, key=lambda m: m.start)
    before = line[: first.start].strip(" ,|-–—·•")
    after = [w for w in re.split(r"[\s,|·•()]+", line[max(m.end for m in dates):]) if w and not _CLOCK_WORD.match(w)]
    # What stands around the date is a time, a zone, a label or an outlet's name, never a statement:
    # "Factory that closed on 3 March 2019 reopens" is a headline.
    statement = [w for w in before.split() + after if len(w) >= 4 and w[0].islower() and fold(w) not in _DATE_LABELS]
    rest = [w for w in after if fold(w).strip(".:") not in _DATE_LABELS and len(w) > 2]
    if len(rest) > 2 or len(before.split()) > 6 or statement:
        return None
    return before, line



def is_furniture(line: str) -> bool:
    """Short lines above the headline that cannot be one: section labels, menus, language links."""
    words = line.split()
    return len(words) <= 2 and len(line) <= 30 and not line.endswith(".")



def continues(line: str, following: str) -> bool:
    """A line broken mid-sentence: the next starts in lowercase, so both are one paragraph."""
    return bool(following) and following[0].islower() and not _SENTENCE_END.search(line)



def copyright_name(line: str) -> str | None:
    """"©2025 Reuters", "© 2025 Le Temps. Tous droits réservés." -> the outlet."""
    m = re.match(r"^(?:©|\(c\)|copyright)\s*(?:\d{4}\s*[-–]?\s*(?:\d{4})?)?\s*(?P<name>[^\W\d_][^.|]{1,40}?)\s*"
                 r"(?:[.|,].*)?$", line, re.I)
    if not m or (not line.startswith("©") and not re.match(r"(?i)^(?:\(c\)|copyright)\s*\d{4}", line)):
        return None
    name = m.group("name").strip()
    if re.search(r"(?i)all rights|tous droits|droits r", name) or len(name.split()) > 5:
        return None
    return outlet_name(name)



def dateline(paragraph: str, lang: str) -> tuple[str | None, list[Mention], str] | None:
    """(wire or agency, dates, head) for a lead opening with a dateline such as
    "OTTAWA, Jan. 27, 2026 /CNW/ -" or "PARIS (AFP) —"."""
    m = _DATELINE_HEAD.match(paragraph) or re.match(r"^(?P<head>[A-ZÀ-Ý][^:]{1,80}\((?:[^()]{2,30})\))\s*:\s", paragraph)
    if not m:
        return None
    head = m.group("head")
    wire = _WIRE.search(head)
    agency = _AGENCY.search(head)
    place = _DATELINE_PLACE.match(head)
    if not (place and len(re.sub(r"\W", "", place.group(0))) >= 3) and not (wire or agency):
        return None
    if not head[:1].isupper():
        return None
    name = wire.group("name") if wire else agency.group("name") if agency else None
    if name and (find_dates(name, lang) or re.fullmatch(r"[\d/.\- ]+", name)):
        name = None
    return (outlet_name(name) if name else None), find_dates(head, lang), head




def is_masthead(line: str) -> bool:
    """An outlet's name over its pages: "The Deccan Ledger", "Radio Capitale 93,7", "APS - Algérie
    Presse Service": a few capitalised words, one of them a word outlets are named with."""
    words = re.findall(r"[^\W\d_][\w'’.-]*", line)
    if not words or len(line.split()) > 6 or line.rstrip().endswith((".", "!", "?")):
        return False
    return bool(_OUTLET_WORDS.search(line) or _MASTHEAD_WORDS.search(line)) and all(
        w[0].isupper() for w in words if len(w) >= 4)


def bare_byline(line: str) -> bool:
    """"Jane Doe, Reuters", "Awa Ndiaye | Le Soleil", "MARIE DUBOIS - AFP": a name, then an outlet."""
    m = _BARE_BYLINE.match(line)
    if not m:
        return False
    outlet = m.group("outlet")
    return bool("|" in line or _OUTLET_WORDS.search(outlet) or _MASTHEAD_WORDS.search(outlet) or outlet.isupper()
                or re.search(r"\b[A-Z]{2,5}\b", outlet))


def kind(line: str) -> str:
    """What a line is, judged alone: marker, stamp, byline, date, credit, caption, masthead,
    furniture, headline, or text (a sentence of the article, or of its standfirst)."""
    if MARKER.match(line):
        return "marker"
    if is_banner(line) or is_programme(line):
        return "furniture"
    stamp = STAMP.match(line)
    if stamp and (find_dates(stamp.group("rest"), "en") or find_dates(stamp.group("rest"), "fr")
                  or find_time(stamp.group("rest"))):
        return "stamp"
    if (BYLINE.match(line) and len(line.split()) <= 16 and not line.endswith(".")) or bare_byline(line):
        return "byline"
    if date_line(line):
        return "date"
    parts = caption_parts(line)
    if parts is not None:
        return "caption" if parts[0] else "credit"
    if is_masthead(line):
        return "masthead"
    if looks_like_headline(line):
        return "headline"
    if is_furniture(line):
        return "furniture"
    return "text"
