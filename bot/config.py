"""Settings read from the environment, once, by the command-line entry point.

Nothing here is read at import time: `Settings.from_env()` is called by `cli.py` and the result is
passed down. The token is kept in a `Secret` so that it never shows up in a log line or a repr.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from bot import LANGUAGES

N = TypeVar("N", int, float)

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_CONCURRENT_UPDATES = 256
"""Updates handled at once across chats (each chat's own in order): enough for a crowd at Telegram's pace."""
DEFAULT_MAX_FLOOD_WAIT = 60.0
"""Seconds of one flood wait (`RetryAfter`) a broadcast send waits out; a longer one pauses the broadcast until
Telegram's time, shown on its progress card, and it resumes by itself (after a restart too)."""
DEFAULT_SEND_RATE = 29.5
"""Messages a second across all chats: just under Telegram's ~30, leaving room for clock jitter."""
DEFAULT_STARTUP_BACKOFF = 1.0
"""Seconds before the first retry when the Bot API cannot be reached at start-up (then 2, 4… up to 60)."""


class ConfigError(ValueError):
    """A setting has a value the bot cannot use; the message names the variable."""


@dataclass(frozen=True)
class Secret:
    """A value that must not be printed: its repr and str are masked."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "***" if self.value else ""

    def __repr__(self) -> str:
        return "Secret('***')" if self.value else "Secret('')"

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Settings:
    token: Secret = Secret("")
    admin_ids: frozenset[int] = frozenset()
    data_dir: Path = Path("data")
    api_base_url: str = DEFAULT_API_BASE_URL
    default_language: str = "en"
    webhook_url: str = ""
    send_rate: float = DEFAULT_SEND_RATE
    startup_backoff: float = DEFAULT_STARTUP_BACKOFF
    """BOT_STARTUP_BACKOFF: not a user setting; the tests shorten the start-up retries with it."""
    max_concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES
    max_flood_wait: float = DEFAULT_MAX_FLOOD_WAIT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        default_language = env.get("BOT_DEFAULT_LANGUAGE", "en").strip() or "en"
        if default_language not in LANGUAGES:
            raise ConfigError(f"BOT_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        base_url = parse_api_base_url(env.get("BOT_API_BASE_URL", ""))
        return cls(
            token=Secret(env.get("TELEGRAM_BOT_TOKEN", "").strip()),
            admin_ids=parse_admin_ids(env.get("BOT_ADMIN_IDS", "")),
            data_dir=Path(env.get("BOT_DATA_DIR", "").strip() or "data"),
            api_base_url=base_url,
            default_language=default_language,
            webhook_url=env.get("BOT_WEBHOOK_URL", "").strip(),
            # BOT_SEND_RATE=0 lifts the limit: only for a local Bot API and benchmarks.
            send_rate=parse_number(env, "BOT_SEND_RATE", DEFAULT_SEND_RATE, float, "a number of messages a second",
                                   lambda v: v >= 0 and math.isfinite(v), "must be 0 (no limit) or more"),
            startup_backoff=parse_number(env, "BOT_STARTUP_BACKOFF", DEFAULT_STARTUP_BACKOFF, float,
                                         "a number of seconds", _positive, "must be more than 0 seconds"),
            max_concurrent_updates=parse_number(env, "BOT_MAX_CONCURRENT_UPDATES", DEFAULT_CONCURRENT_UPDATES, int,
                                                "a whole number", lambda v: v >= 1, "must be 1 or more"),
            max_flood_wait=parse_number(env, "BOT_MAX_FLOOD_WAIT", DEFAULT_MAX_FLOOD_WAIT, float,
                                        "a number of seconds", _positive, "must be more than 0 seconds"),
        )


def parse_api_base_url(raw: str) -> str:
    """BOT_API_BASE_URL, with no trailing `/` (the token is appended to it); a bare host gets `/bot`."""
    base_url = raw.strip().rstrip("/") or DEFAULT_API_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError("BOT_API_BASE_URL must start with http:// or https://")
    parts = urlsplit(base_url)
    try:
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise ConfigError(f"BOT_API_BASE_URL: {base_url} has a port that is not a number") from None
    if not parts.hostname:
        raise ConfigError(f"BOT_API_BASE_URL: {base_url} has no host name")
    if not parts.path:
        base_url += "/bot"  # e.g. a local Bot API server given as http://127.0.0.1:8081
    return base_url


def parse_admin_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(f"BOT_ADMIN_IDS: {part!r} is not a Telegram user id") from None
    return frozenset(ids)


def _positive(value: float) -> bool:
    return value > 0 and math.isfinite(value)


def parse_number(env: Mapping[str, str], name: str, default: N, convert: Callable[[str], N], unit: str,
                 valid: Callable[[N], bool], rule: str) -> N:
    """The setting `name` as a number (`default` when unset); `unit` names what it is, `rule` what it must be."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = convert(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not {unit}") from None
    if not valid(value):
        raise ConfigError(f"{name} {rule}")
    return value
