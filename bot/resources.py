"""Where the campaign content and the catalogs are: inside the installed package, or in the checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries them as bot/_data/<name> (see pyproject.toml); a checkout has them at the top.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ directory next to the bot package")


def content_dir() -> Path:
    """The bundled content: what a fresh install serves."""
    return _find("content")


def working_content_dir() -> Path:
    """The content an operator edits: `./content` when run from a checkout, else the bundled copy."""
    here = Path.cwd() / "content"
    return here if (here / "sources.yaml").is_file() else content_dir()


def locales_dir() -> Path:
    return _find("locales")
