"""What a Vietnamese screen or export must never show: the code's own names and untranslated English.

``findings(text_pieces)`` returns the pieces that carry an internal code (a ledger event name, a role or level
slug, a node name of the flow, viewflow's English headers) or a msgid of the project's catalogues left
untranslated. Pages are cut into their text nodes and the attributes people read (``html_pieces``); exports into
their cells (``csv_pieces``, ``xlsx_pieces``).
"""

import csv
import gettext
import io
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.conf import settings
from openpyxl import load_workbook

from audit.events import AuditEvent
from org_hierarchy.models import Level, Role
from workflows.flows import NominationFlow

# viewflow's own English, as its templates and views print it (it has no Vietnamese catalogue).
VIEWFLOW_ENGLISH = (
    "Process id",
    "Process summary",
    "Active tasks",
    "Brief",
    "Yesterday",
    "Today",
    "Created",
    "Finished",
    "Process",
    "Task",
    "Tasks",
    "Status",
    "Owner",
    "Flow",
    "Assign",
    "Unassign",
    "Processes",
    "Inbox",
    "Queue",
    "Archive",
    "Dashboard",
    "Details",
    "Cancel",
)
# Attributes whose text people read or hear.
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "label", "supporting-text")
# Text nodes inside these elements are not read as text.
SKIPPED_ELEMENTS = ("script", "style", "code", "kbd", "samp", "template")
# Words that are the same in both languages, or are names, and may appear as they are.
ALLOWED_WORDS = {"Email", "Meritflow", "CSV", "XLSX", "PDF", "OK", "ID"}


VOID_ELEMENTS = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr")


def _is_icon(attributes) -> bool:
    """An icon font's ligature ("notifications", "history") is drawn as a picture, not read."""
    return "material-icons" in (attributes.get("class") or "") or attributes.get("aria-hidden") == "true"


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.skipping or tag in SKIPPED_ELEMENTS or _is_icon(attributes):
            if tag not in VOID_ELEMENTS:
                self.skipping.append(tag)
            return
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.pieces.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.pieces.append(attributes["value"])

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.pieces.append(data)


def html_pieces(html: str) -> list[str]:
    collector = _TextCollector()
    collector.feed(html)
    return collector.pieces


def csv_pieces(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row if cell]


def xlsx_pieces(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell not in (None, "")
    ]


def _catalogue_paths() -> list[Path]:
    roots = [Path(path) for path in settings.LOCALE_PATHS]
    roots += [Path(config.path) / "locale" for config in apps.get_app_configs() if config.name.count(".") == 0]
    return sorted({path for root in roots for path in root.glob("vi/LC_MESSAGES/django.mo")})


@cache
def untranslated_english() -> frozenset[str]:
    """Return the project's msgids whose Vietnamese differs from them: shown as they are, they are English."""
    msgids = set()
    for path in _catalogue_paths():
        with path.open("rb") as file:
            catalogue = gettext.GNUTranslations(file)._catalog
        for msgid, msgstr in catalogue.items():
            if isinstance(msgid, tuple):
                msgid = msgid[0]
            if not msgid or "\x04" in msgid or msgid == msgstr:
                continue
            text = re.sub(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}", "", msgid).strip(" .:,…")
            if len(text) >= 4 and re.search(r"[A-Za-z]{3}", text) and text not in ALLOWED_WORDS:
                msgids.add(text)
    return frozenset(msgids)


@cache
def _code_pattern(*, words: bool = True) -> re.Pattern:
    """The codes as they may show; without ``words``, only those that are not also plain English words."""
    codes = {value for value, _label in AuditEvent.choices}
    codes |= {value for value, _label in Role.choices}
    codes |= {Level(value).slug for value in Level.values}
    nodes = {node.name for node in NominationFlow.instance.nodes()}
    codes |= nodes
    codes |= {name.replace("_", " ").title() for name in nodes if "_" in name}
    codes |= {name.title() for name in nodes}
    if not words:
        codes = {code for code in codes if not re.fullmatch(r"[A-Za-z]+", code)}
    alternatives = "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![\w.@/-])(?:{alternatives})(?![\w@/-]|\.\w)")


def _english_pattern(phrases) -> re.Pattern:
    alternatives = "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")


@cache
def _untranslated_pattern() -> re.Pattern:
    return _english_pattern(untranslated_english() | set(VIEWFLOW_ENGLISH))


RAW_JSON = re.compile(r'^\s*[\[{].*"\w+"\s*:', re.DOTALL)


# viewflow's headers that no page of the product says in either language: out of place in English too.
VIEWFLOW_HEADERS = ("Process id", "Process summary", "Active tasks", "Brief")


@cache
def _viewflow_headers_pattern() -> re.Pattern:
    return _english_pattern(VIEWFLOW_HEADERS)


def findings(pieces, *, ignore=()) -> list[str]:
    """Return a line per piece that shows a code, raw JSON or untranslated English (``ignore``: names in the data)."""
    return _findings(pieces, ignore, ((_code_pattern(), "code"), (_untranslated_pattern(), "English")))


def code_findings(pieces, *, ignore=()) -> list[str]:
    """Return a line per piece that shows a code, raw JSON or viewflow's headers: for the English interface.

    A code that is also an English word ("supplement", "appraiser", "commune") is English there, and not sought.
    """
    patterns = ((_code_pattern(words=False), "code"), (_viewflow_headers_pattern(), "viewflow"))
    return _findings(pieces, ignore, patterns)


def _findings(pieces, ignore, patterns) -> list[str]:
    found = []
    for piece in pieces:
        text = " ".join(piece.split())
        for name in ignore:
            text = text.replace(name, "")
        if RAW_JSON.match(text):
            found.append(f"raw JSON: {text[:80]}")
            continue
        for pattern, kind in patterns:
            match = pattern.search(text)
            if match:
                found.append(f"{kind} {match.group(0)!r} in {text[:120]!r}")
                break
    return found
