"""Maintain the gettext catalogs: `python -m bot.catalogs update` and `python -m bot.catalogs check`.

`update` extracts every marked string from `bot/` into `locales/bot.pot` and merges it into each
language's `bot.po` (new strings come in empty, changed ones fuzzy, for a translator to finish).
`check` fails when a catalog is out of date with the code, an az or ru entry is untranslated or fuzzy,
or a translation's `{placeholders}` differ from its msgid's; CI runs it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot import LANGUAGES
from bot.i18n import DOMAIN

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")


def extract(source_dir: Path) -> Catalog:
    template = Catalog(project="campaign-bot", domain=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        source_dir, method_map=[("**.py", "python")], keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, [(f"bot/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def po_path(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False)


def update(source_dir: Path, locales: Path) -> None:
    template = extract(source_dir)
    write(locales / f"{DOMAIN}.pot", template)
    for lang in TRANSLATED:
        path = po_path(locales, lang)
        catalog = read(path, lang) if path.exists() else Catalog(locale=lang, domain=DOMAIN)
        catalog.update(template, update_header_comment=False)
        catalog.obsolete.clear()
        write(path, catalog)
        print(f"{path}: {len(catalog)} messages")


def _ids(message: Message) -> tuple[str, ...]:
    ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
    return tuple(str(i) for i in ids)


def _strings(message: Message) -> tuple[str, ...]:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string or "",)
    return tuple(str(s) for s in strings)


def problems(source_dir: Path, locales: Path) -> Iterator[str]:
    expected = {_ids(m) for m in extract(source_dir) if m.id}
    for lang in TRANSLATED:
        path = po_path(locales, lang)
        if not path.exists():
            yield f"{path}: missing"
            continue
        catalog = read(path, lang)
        present = {_ids(m) for m in catalog if m.id}
        for ids in sorted(expected - present):
            yield f"{path}: not in the catalog yet (run `python -m bot.catalogs update`): {ids[0]!r}"
        for ids in sorted(present - expected):
            yield f"{path}: no longer in the code (run `python -m bot.catalogs update`): {ids[0]!r}"
        for message in catalog:
            if not message.id:
                continue
            name = _ids(message)[0]
            if message.fuzzy:
                yield f"{path}: fuzzy (check and clear the flag): {name!r}"
            wanted = set(PLACEHOLDER.findall(" ".join(_ids(message))))
            for form in _strings(message):
                if not form:
                    yield f"{path}: untranslated: {name!r}"
                elif set(PLACEHOLDER.findall(form)) != wanted:
                    yield f"{path}: placeholders {sorted(PLACEHOLDER.findall(form))} differ from the msgid's " \
                          f"{sorted(wanted)}: {name!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.catalogs", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["update", "check"])
    parser.add_argument("--locales", type=Path, default=ROOT / "locales")
    args = parser.parse_args(argv)
    source_dir = Path(__file__).resolve().parent
    if args.action == "update":
        update(source_dir, args.locales)
        return 0
    found = list(problems(source_dir, args.locales))
    for problem in found:
        print(problem)
    print(f"catalogs: {len(found)} problem(s)" if found else "catalogs: complete and consistent")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
