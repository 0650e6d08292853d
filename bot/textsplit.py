"""Split Telegram HTML into messages that fit, at the cleanest boundary, never inside a tag or entity.

A cut prefers a blank line, then a line break, then a space; the tags open at the cut are closed at
the end of one part and opened again at the start of the next, so every part is valid HTML on its own.
Length is counted on the HTML itself in UTF-16 code units (as Telegram counts), which over-counts
markup and so always errs on the short side.
"""

from __future__ import annotations

import re

TELEGRAM_TEXT_LIMIT = 4096

_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|\n\n+|\n|[ \t]+|[^<&\s]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)")


def units(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts message length."""
    return len(text.encode("utf-16-le")) // 2


def _tokens(html: str, limit: int) -> list[str]:
    out: list[str] = []
    piece = max(1, limit // 4)
    for token in _TOKEN.findall(html):
        if units(token) > piece and not token.startswith("<"):
            out.extend(token[i : i + piece] for i in range(0, len(token), piece))
        else:
            out.append(token)
    return out


def _priority(token: str) -> int:
    if token.startswith("\n\n"):
        return 3
    if token == "\n":
        return 2
    if token.isspace():
        return 1
    return 0


def _closing(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _reopening(stack: list[tuple[str, str]]) -> str:
    return "".join(tag for _, tag in stack)


def split_html(html: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """`html` as a list of parts, each at most `limit` units long and valid HTML by itself."""
    html = html.strip()
    parts: list[str] = []
    while units(html) > limit:
        part, html = _cut(html, limit)
        parts.append(part)
    if html:
        parts.append(html)
    return parts


def _cut(html: str, limit: int) -> tuple[str, str]:
    tokens = _tokens(html, limit)
    stack: list[tuple[str, str]] = []
    size = 0
    # (index after a whitespace token, its priority, the tags open there)
    breaks: list[tuple[int, int, list[tuple[str, str]]]] = []
    index = 0
    for index, token in enumerate(tokens):
        cost = units(token)
        if size + cost + units(_closing(stack)) > limit and index > 0:
            break
        size += cost
        tag = _TAG.match(token)
        if tag and tag.group(1):
            if stack and stack[-1][0] == tag.group(2).lower():
                stack.pop()
        elif tag:
            stack.append((tag.group(2).lower(), token))
        elif _priority(token):
            breaks.append((index + 1, _priority(token), list(stack)))
    else:
        return html, ""
    usable = [b for b in breaks if b[0] >= index // 2] or breaks
    if usable:
        best = max(p for _, p, _ in usable)
        cut, _, open_tags = max(b for b in usable if b[1] == best)
    else:
        cut, open_tags = index, stack
    head = "".join(tokens[:cut]).rstrip() + _closing(open_tags)
    tail = _reopening(open_tags) + "".join(tokens[cut:]).lstrip()
    return head, tail
