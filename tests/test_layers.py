"""The house rules of ARCHITECTURE.md, checked on the code: which layer may import which.

Every module of the `bot` package is read with `ast` (imports inside functions included) and each import is
held against the rules below. A rule names a layer (a module or a package, by its dotted prefix) and the
prefixes it must not import. Independently of the rules, only `bot.store` itself is the store's front door:
outside `bot/store/`, no module imports one of its files.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bot"

ENTRY_POINTS = ("bot.__main__", "bot.cli")
"""Only these start the try-out; nothing else in the runtime imports it."""

RUNTIME_ABOVE_RENDER = ("bot.app", "bot.handlers", "bot.context", "bot.publishing", "bot.broadcast", "bot.startup",
                        "bot.health", "bot.cli", "bot.desk")

RULES: dict[str, tuple[str, ...]] = {
    # The vocabulary knows nothing of the bot around it.
    "bot.model": ("bot.",),
    # Pure rendering: the model and the content in, Telegram HTML and keyboards out; no storage, no sending.
    "bot.render": ("bot.store", "telegram.ext", "bot.tryout", *RUNTIME_ABOVE_RENDER),
    # Persistence only: no Telegram, no screens, no services.
    "bot.store": ("telegram", "bot.render", "bot.tryout", "bot.search", *RUNTIME_ABOVE_RENDER),
    # The sender acts on the outbox; what a message says is the publisher's (compose) and the screens' business.
    "bot.broadcast": ("bot.render", "bot.handlers", "bot.app", "bot.context", "bot.publishing", "bot.tryout"),
    "bot.publishing": ("bot.handlers", "bot.app", "bot.context", "bot.tryout", "bot.desk"),
    # The desk carries requests out through the publisher; it knows nothing of the handlers or the wiring.
    "bot.desk": ("bot.handlers", "bot.app", "bot.context", "bot.tryout", "bot.cli", "bot.startup"),
    # Handlers reach the store and the sender through the services, never directly.
    "bot.handlers": ("bot.store", "bot.broadcast", "bot.app", "bot.cli", "bot.startup", "bot.tryout"),
    "bot.context": ("bot.handlers", "bot.app", "bot.tryout"),
    "bot.app": ("bot.cli", "bot.startup", "bot.tryout"),
    "bot.startup": ("bot.tryout", "bot.handlers"),
    # The heartbeat and its check: the store and the services, nothing of the handlers or the wiring.
    "bot.health": ("bot.tryout", "bot.handlers", "bot.app", "bot.startup", "bot.cli"),
    # Small tools everyone uses: they use nothing of the layers above.
    **{tool: ("bot.render", "bot.store", "bot.tryout", "bot.search", *RUNTIME_ABOVE_RENDER)
       for tool in ("bot.content", "bot.content_yaml", "bot.content_edit", "bot.i18n", "bot.search", "bot.textsplit",
                    "bot.button_data", "bot.config", "bot.resources", "bot.aiohttp_request", "bot.logging_setup",
                    "bot.catalogs", "bot.update_processor", "bot.rate_limit", "bot.memory", "bot.qr",
                    "bot.group_admins", "bot.when", "bot.recent_shares", "bot.forum_errors")},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(module: str, source: str) -> Iterator[str]:
    """Every module `source` imports, as dotted names (`from bot import render` gives `bot.render`; a name
    imported from a module, as in `from bot.store import Store`, gives the module)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{module}: the package uses absolute imports only"
            base = node.module or ""
            yield base
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}"


def _within(name: str, prefix: str) -> bool:
    return name == prefix.rstrip(".") or name.startswith(prefix if prefix.endswith(".") else prefix + ".")


def violations(modules: Iterable[tuple[str, str]]) -> list[str]:
    found = []
    for module, source in modules:
        rule = max((layer for layer in RULES if _within(module, layer)), key=len, default=None)
        for imported in set(imports_of(module, source)):
            if imported.startswith("bot.tryout") and not _within(module, "bot.tryout") and module not in ENTRY_POINTS:
                found.append(f"{module} imports {imported}: only {', '.join(ENTRY_POINTS)} start the try-out")
            if (imported.startswith("bot.store.") and not _within(module, "bot.store")
                    and not _within(module, "bot.tryout")):
                found.append(f"{module} imports {imported}: outside the store, import `bot.store` only")
            if rule is None:
                continue
            for forbidden in RULES[rule]:
                if _within(imported, forbidden) and not _within(imported, rule):
                    found.append(f"{module} imports {imported}: {rule} must not import {forbidden}")
    return sorted(set(found))


def package_modules() -> list[tuple[str, str]]:
    return [(module_name(path), path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))]


MODULES = frozenset(module_name(path) for path in PACKAGE.rglob("*.py"))


def test_every_layer_imports_only_what_it_may() -> None:
    assert violations(package_modules()) == []


def test_every_module_of_the_runtime_is_under_a_rule() -> None:
    unruled = [module for module, _ in package_modules()
               if not any(_within(module, layer) for layer in RULES)
               and module not in (*ENTRY_POINTS, "bot") and not _within(module, "bot.tryout")]
    assert unruled == [], "add these to RULES (and to ARCHITECTURE.md)"


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("bot.render.cases", "from bot.store import Store\n", "bot.render must not import bot.store"),
    ("bot.render.cases", "from bot import broadcast\n", "bot.render must not import bot.broadcast"),
    ("bot.store.chats", "import telegram\n", "bot.store must not import telegram"),
    ("bot.handlers.cases", "def f():\n    from bot.store.outbox import CHUNK\n", "outside the store"),
    ("bot.publishing", "from bot.store import outbox\n", "outside the store"),
    ("bot.publishing", "from bot.tryout.standin import LocalBotAPI\n", "only bot.__main__, bot.cli"),
    ("bot.model", "from bot.content import Case\n", "bot.model must not import bot."),
])
def test_a_module_that_breaks_a_rule_is_caught(module: str, source: str, expected: str) -> None:
    assert any(expected in found for found in violations([(module, source)]))
