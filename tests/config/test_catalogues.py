"""Translation catalogues: Vietnamese complete everywhere, and every committed .mo matching its .po.

The project catalogue (``locale/``) and each app's (``<app>/locale/``) are checked. A .mo is compared by content
with a fresh compilation of its .po (file dates mean nothing after a clone).
"""

import ast
import gettext
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.test import SimpleTestCase

BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """Return the live entries of a .po file (obsolete ``#~`` entries are left out), header included."""
    entries: list[Entry] = []
    entry, target = None, None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry = Entry(line=number)
            entries.append(entry)
            entry.flags = {flag.strip() for flag in line[2:].split(",")}
            target = None
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
            if keyword in ("msgctxt", "msgid") and (entry is None or target not in (None, "msgctxt")):
                entry = Entry(line=number)
                entries.append(entry)
            target = keyword
            if keyword.startswith("msgstr"):
                entry.msgstrs.append("")
            elif keyword == "msgctxt":
                entry.msgctxt = ""
        if target == "msgid":
            entry.msgid += value
        elif target == "msgid_plural":
            entry.msgid_plural += value
        elif target == "msgctxt":
            entry.msgctxt += value
        else:
            entry.msgstrs[-1] += value
    return [entry for entry in entries if entry.msgstrs]


def project_apps() -> list[Path]:
    """Return the directories of the project's own apps."""
    return sorted(
        Path(config.path) for config in apps.get_app_configs() if Path(config.path).parent == BASE_DIR.resolve()
    )


def catalogues(language: str) -> list[Path]:
    roots = [BASE_DIR, *project_apps()]
    return [path for root in roots if (path := root / "locale" / language / "LC_MESSAGES" / "django.po").exists()]


def describe(entry: Entry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt is not None else ""
    return f"line {entry.line}: {context}{entry.msgid!r}"


class VietnameseCatalogueTests(SimpleTestCase):
    def test_every_app_and_the_project_have_a_vietnamese_catalogue(self):
        missing = [
            str(root.relative_to(BASE_DIR) / "locale")
            for root in [BASE_DIR, *project_apps()]
            if not (root / "locale" / "vi" / "LC_MESSAGES" / "django.po").exists()
        ]
        self.assertEqual(missing, [], "Run `make messages` and translate the new catalogues.")

    def test_every_vietnamese_entry_is_translated_and_none_is_fuzzy(self):
        for path in catalogues("vi"):
            with self.subTest(catalogue=str(path.relative_to(BASE_DIR))):
                entries = [entry for entry in parse_po(path) if entry.msgid]
                self.assertTrue(entries, "an empty catalogue")
                untranslated = [describe(entry) for entry in entries if not all(entry.msgstrs)]
                fuzzy = [describe(entry) for entry in entries if "fuzzy" in entry.flags]
                self.assertEqual(untranslated, [], "untranslated entries")
                self.assertEqual(fuzzy, [], "fuzzy entries")

    def test_the_parser_sees_untranslated_and_fuzzy_entries(self):
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "django.po"
            path.write_text(
                'msgid ""\nmsgstr ""\n"Language: vi\\n"\n\n'
                '#: a.py:1\nmsgid "Dossier"\nmsgstr "Hồ sơ"\n\n'
                '#, fuzzy\nmsgid "Appraise"\nmsgstr "Thẩm"\n\n'
                'msgctxt "button"\nmsgid "Submit"\nmsgstr ""\n\n'
                'msgid "%(n)s nominee"\nmsgid_plural "%(n)s nominees"\nmsgstr[0] ""\n\n'
                '#~ msgid "Old"\n#~ msgstr ""\n',
                encoding="utf-8",
            )
            entries = {entry.msgid: entry for entry in parse_po(path)}
        self.assertEqual(set(entries), {"", "Dossier", "Appraise", "Submit", "%(n)s nominee"})
        self.assertEqual(entries["Dossier"].msgstrs, ["Hồ sơ"])
        self.assertIn("fuzzy", entries["Appraise"].flags)
        self.assertEqual(entries["Submit"].msgctxt, "button")
        self.assertEqual(entries["Submit"].msgstrs, [""])
        self.assertEqual(entries["%(n)s nominee"].msgid_plural, "%(n)s nominees")


class CompiledCatalogueTests(SimpleTestCase):
    def setUp(self):
        if shutil.which("msgfmt") is None:
            self.skipTest("gettext's msgfmt is not installed")

    def test_every_compiled_catalogue_matches_its_source(self):
        for language in ("vi", "en"):
            for path in catalogues(language):
                with self.subTest(catalogue=str(path.relative_to(BASE_DIR))):
                    compiled = path.with_suffix(".mo")
                    self.assertTrue(compiled.exists(), "not compiled: run `make messages`")
                    with tempfile.TemporaryDirectory() as scratch:
                        fresh = Path(scratch) / "django.mo"
                        subprocess.run(["msgfmt", "--check-format", "-o", fresh, path], check=True)
                        with fresh.open("rb") as expected, compiled.open("rb") as actual:
                            self.assertEqual(
                                gettext.GNUTranslations(actual)._catalog,
                                gettext.GNUTranslations(expected)._catalog,
                                "the .mo is out of date: run `make messages` (or compilemessages)",
                            )
