"""Find a case by any spelling or script a person would type.

Names and queries are reduced to a phonetic skeleton in Latin letters: Cyrillic is transliterated,
Azerbaijani letters folded (ə→a, ı→i, q→g, x→h…), diacritics dropped, and sounds that the three
languages write differently are merged (kh/x/h/g/k, y/i, e/ə/a…). So "Qəhrəmanlı", "Gakhramanli" and
"Гахраманлы" meet on one key, and "Ибрагим" meets "Ibrahim". A query then matches a case when each of
its words is a prefix of, or close to, a word of one of the case's names or aliases.

A match is *sure* when every word of the query is a word of the name, or the start of one (three
letters at least). Anything looser ("Ibrahimov" or "Мамедов", common surnames that only resemble a
name) is a guess: the caller offers it as "did you mean…" instead of opening the card.
Inline mode and deep links later reuse `CaseIndex.lookup`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.content import Case

MAX_QUERY = 100
"""Longer queries are cut: no name is that long, and the cost of matching stays bounded."""

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ә": "a", "ғ": "g", "ҹ": "j", "һ": "h", "ө": "o", "ү": "u", "ј": "y", "қ": "g",
}
_LATIN = {"ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ö": "o", "ü": "u", "q": "g", "x": "h",
          "w": "v"}
# Sound classes, applied to the transliterated Latin text, longest first.
_MERGES = (("kh", "h"), ("gh", "h"), ("zh", "j"), ("dj", "j"), ("ch", "c"), ("sh", "s"), ("ts", "s"),
           ("yu", "u"), ("ya", "a"), ("k", "g"), ("h", "g"), ("y", "i"), ("e", "a"))
_WORD = re.compile(r"[a-z0-9]+")
_DOUBLED = re.compile(r"(.)\1+")
_TRANSLITERATE = str.maketrans({**{ch: _LATIN.get(latin, latin) for ch, latin in _CYRILLIC.items()}, **_LATIN})
"""Cyrillic to Latin, then Azerbaijani letters folded: one table, applied in one pass."""


def skeleton(text: str) -> list[str]:
    """The phonetic skeleton of each word of `text`."""
    return [word for token in text[:MAX_QUERY].split() for word in _token_skeleton(token)]


@functools.lru_cache(maxsize=1 << 14)  # names share words (given names, surnames, party names): each is reduced once
def _token_skeleton(token: str) -> tuple[str, ...]:
    """The skeleton of one whitespace-free piece of text (it may still hold several words: "Al-Huseyn")."""
    text = token.casefold().replace("i̇", "i").translate(_TRANSLITERATE)  # "i̇": a dotted capital İ
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = []
    for word in _WORD.findall(text):
        for old, new in _MERGES:
            word = word.replace(old, new)
        words.append(_DOUBLED.sub(r"\1", word))
    return tuple(words)


SURE_PREFIX = 3
"""A query word this long that starts a name word is sure: "yus" is Yusifli; "as" is only a guess."""
PREFIX = 0.9
"""The score of a query word that starts a name word; exact is 1, a close spelling at most 0.85."""
CLOSE = 0.8
"""How alike two words must be (difflib's ratio) to count as a close spelling."""
CACHED_QUERIES = 1024
"""Answers kept per content version: a crowd that follows a shared link sends the same name many times."""


@functools.lru_cache(maxsize=1 << 14)  # names share words (surnames, party names): each pair is compared once
def _word_score(query_word: str, name_word: str, fuzzy: bool) -> float:
    if name_word == query_word:
        return 1.0
    if len(query_word) >= 2 and name_word.startswith(query_word):
        return PREFIX
    if fuzzy and len(query_word) >= 4:
        shorter, longer = sorted((len(query_word), len(name_word)))
        if 2 * shorter < CLOSE * (shorter + longer):  # the ratio cannot reach CLOSE: spare the comparison
            return 0.0
        ratio = SequenceMatcher(None, query_word, name_word).ratio()
        if ratio >= CLOSE:
            return ratio * 0.85
    return 0.0


@dataclass(frozen=True)
class Matches:
    """The cases a query found, best first, and whether the best is sure (see the module's docstring)."""

    cases: list[Case]
    sure: bool


@dataclass(frozen=True)
class _Entry:
    case: Case
    names: tuple[tuple[str, ...], ...]


class CaseIndex:
    def __init__(self, cases: tuple[Case, ...]) -> None:
        self._entries = []
        for case in cases:
            spellings = [*case.name.values(), *case.aliases]
            names = tuple(dict.fromkeys(key for key in (tuple(skeleton(s)) for s in spellings) if key))
            self._entries.append(_Entry(case, names))
        self._cache: dict[str, Matches] = {}

    def search(self, query: str) -> list[Case]:
        """Cases matching `query`, best first; [] for a query with no letters or digits."""
        return self.lookup(query).cases

    def lookup(self, query: str) -> Matches:
        """`search`, and whether its best match is sure enough to open without asking."""
        words = skeleton(query)
        key = " ".join(words)
        if key in self._cache:
            return self._cache[key]
        found = self._lookup(words) if words else Matches([], False)
        if len(self._cache) >= CACHED_QUERIES:
            self._cache.clear()
        self._cache[key] = found
        return found

    def _lookup(self, words: list[str]) -> Matches:
        # Exact and prefix hits first (cheap); close spellings (difflib, costly with many cases) only when no
        # name has every word exactly: a close spelling scores at most 0.85 and could not stand beside it.
        scored = self._scored(words, fuzzy=False)
        if not scored or max(score for (score, _), _, _ in scored) < 1.0:
            scored = self._scored(words, fuzzy=True)
        if not scored:
            return Matches([], False)
        top = max(score for (score, _), _, _ in scored)
        # An exact hit on a whole name is the answer; weaker hits are offered only beside each other.
        keep = sorted(((s, o, c) for s, o, c in scored if s[0] >= top - 0.15), key=lambda t: (-t[0][0], t[1]))
        return Matches([case for _, _, case in keep], sure=keep[0][0][1])

    def _scored(self, words: list[str], *, fuzzy: bool) -> list[tuple[tuple[float, bool], int, Case]]:
        scored = []
        for entry in self._entries:
            best = max((self._match(words, name, fuzzy) for name in entry.names), default=(0.0, False))
            if best[0] > 0:
                scored.append((best, entry.case.order, entry.case))
        return scored

    @staticmethod
    def _match(words: list[str], name: tuple[str, ...], fuzzy: bool) -> tuple[float, bool]:
        """The mean score of the query's words against one name, and whether every word is a sure hit."""
        total = 0.0
        sure = True
        for word in words:
            score = max((_word_score(word, part, fuzzy) for part in name), default=0.0)
            if score == 0.0:
                return 0.0, False
            total += score
            sure = sure and (score == 1.0 or (score == PREFIX and len(word) >= SURE_PREFIX))
        return total / len(words), sure
