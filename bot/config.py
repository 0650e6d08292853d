"""Settings read from the environment, once, by the command-line entry point.

Nothing here is read at import time: `Settings.from_env()` is called by `cli.py` and the result is
passed down. The token is kept in a `Secret` so that it never shows up in a log line or a repr.
"""

from __future__ import annotations

import base64
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import LANGUAGES

N = TypeVar("N", int, float)

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_CONCURRENT_UPDATES = 256
"""Updates handled at once across chats (each chat's own in order): enough for a crowd at Telegram's pace."""
DEFAULT_MAX_FLOOD_WAIT = 60.0
"""Seconds of one flood wait (`RetryAfter`) a broadcast send waits out; a longer one pauses the broadcast until
Telegram's time, shown on its progress card, and it resumes by itself (after a restart too)."""
DEFAULT_SEND_TIMEOUT = 30.0
"""Seconds a broadcast's send waits for Telegram's answer. Telegram has taken 15 s to answer in bad moments: a send
that gives up sooner leaves a member who may or may not have the update (`unknown`, sent once more at the end)."""
DEFAULT_INACTIVE_RETENTION_DAYS = 90
"""Days a chat that blocked the bot (or a group that removed it) is kept, in case it comes back; then it is deleted."""
DEFAULT_SEND_RATE = 29.5
"""Messages a second across all chats: just under Telegram's ~30, leaving room for clock jitter."""
DEFAULT_STARTUP_BACKOFF = 1.0
"""Seconds before the first retry when the Bot API cannot be reached at start-up (then 2, 4… up to 60)."""
DEFAULT_TIMEZONE = "Asia/Baku"
"""The campaign's time zone (BOT_TIMEZONE): a scheduled push's time is typed and shown in it."""
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"
DEFAULT_WEBHOOK_PORT = 8443
TELEGRAM_API_HOST = "api.telegram.org"
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)
"""The only ports Telegram's own Bot API sends webhook requests to (a local Bot API server sends to any)."""
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""Telegram's rule for setWebhook's secret_token, sent back in X-Telegram-Bot-Api-Secret-Token."""
MAKE_A_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
DATA_KEY_BYTES = 32
"""BOT_DATA_KEY: an AES-256 key, written in base64url (43 characters; `campaign-bot keygen` makes one)."""


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
    """BOT_WEBHOOK_URL: the public URL Telegram sends updates to; set, the bot runs by webhook instead of polling."""
    webhook_secret: Secret = Secret("")
    """BOT_WEBHOOK_SECRET: Telegram sends it with every webhook request; a request without it is refused."""
    data_key: Secret = Secret("")
    """BOT_DATA_KEY, or the file BOT_DATA_KEY_FILE names (a Docker secret): set, the data files are encrypted at rest
    with it (docs/STORAGE.md); `data_key_bytes` decodes it."""
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_path: str = "/"
    """BOT_WEBHOOK_PATH: the path the webhook server answers on; by default the path of BOT_WEBHOOK_URL."""
    send_rate: float = DEFAULT_SEND_RATE
    startup_backoff: float = DEFAULT_STARTUP_BACKOFF
    """BOT_STARTUP_BACKOFF: not a user setting; the tests shorten the start-up retries with it."""
    max_concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES
    max_flood_wait: float = DEFAULT_MAX_FLOOD_WAIT
    send_timeout: float = DEFAULT_SEND_TIMEOUT
    inactive_retention_days: int = DEFAULT_INACTIVE_RETENTION_DAYS
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    """BOT_TIMEZONE: an IANA name (Asia/Baku, Europe/Berlin…); scheduled pushes are typed and shown in it."""
    require_approval: bool = False
    """BOT_REQUIRE_APPROVAL=1: a push, correction, recall or content change is carried out only once another admin
    approves it."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        default_language = env.get("BOT_DEFAULT_LANGUAGE", "en").strip() or "en"
        if default_language not in LANGUAGES:
            raise ConfigError(f"BOT_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        base_url = parse_api_base_url(env.get("BOT_API_BASE_URL", ""))
        webhook_url = parse_webhook_url(env.get("BOT_WEBHOOK_URL", ""), base_url)
        return cls(
            token=Secret(env.get("TELEGRAM_BOT_TOKEN", "").strip()),
            admin_ids=parse_admin_ids(env.get("BOT_ADMIN_IDS", "")),
            data_dir=Path(env.get("BOT_DATA_DIR", "").strip() or "data"),
            api_base_url=base_url,
            default_language=default_language,
            webhook_url=webhook_url,
            webhook_secret=parse_webhook_secret(env.get("BOT_WEBHOOK_SECRET", ""), webhook_url),
            data_key=parse_data_key(env, "BOT_DATA_KEY"),
            webhook_listen=env.get("BOT_WEBHOOK_LISTEN", "").strip() or DEFAULT_WEBHOOK_LISTEN,
            webhook_port=parse_number(env, "BOT_WEBHOOK_PORT", DEFAULT_WEBHOOK_PORT, int, "a port number",
                                      lambda v: 1 <= v <= 65535, "must be a port number from 1 to 65535"),
            webhook_path="/" + (env.get("BOT_WEBHOOK_PATH", "").strip() or urlsplit(webhook_url).path).lstrip("/"),
            # BOT_SEND_RATE=0 lifts the limit: only for a local Bot API and benchmarks.
            send_rate=parse_number(env, "BOT_SEND_RATE", DEFAULT_SEND_RATE, float, "a number of messages a second",
                                   lambda v: v >= 0 and math.isfinite(v), "must be 0 (no limit) or more"),
            startup_backoff=parse_number(env, "BOT_STARTUP_BACKOFF", DEFAULT_STARTUP_BACKOFF, float,
                                         "a number of seconds", _positive, "must be more than 0 seconds"),
            max_concurrent_updates=parse_number(env, "BOT_MAX_CONCURRENT_UPDATES", DEFAULT_CONCURRENT_UPDATES, int,
                                                "a whole number", lambda v: v >= 1, "must be 1 or more"),
            max_flood_wait=parse_number(env, "BOT_MAX_FLOOD_WAIT", DEFAULT_MAX_FLOOD_WAIT, float,
                                        "a number of seconds", _positive, "must be more than 0 seconds"),
            send_timeout=parse_number(env, "BOT_SEND_TIMEOUT", DEFAULT_SEND_TIMEOUT, float, "a number of seconds",
                                      _positive, "must be more than 0 seconds"),
            inactive_retention_days=parse_number(env, "BOT_INACTIVE_RETENTION_DAYS", DEFAULT_INACTIVE_RETENTION_DAYS,
                                                 int, "a whole number of days", lambda v: v >= 1, "must be 1 or more"),
            timezone=parse_timezone(env.get("BOT_TIMEZONE", "")),
            require_approval=parse_switch(env, "BOT_REQUIRE_APPROVAL"),
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


def parse_webhook_url(raw: str, api_base_url: str) -> str:
    """BOT_WEBHOOK_URL ("" when unset): a full http(s) URL; for Telegram's own Bot API, https on one of its ports."""
    url = raw.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"BOT_WEBHOOK_URL: {url} has a port that is not a number") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("BOT_WEBHOOK_URL must be a full URL, like https://bot.example.org/telegram")
    if urlsplit(api_base_url).hostname == TELEGRAM_API_HOST:
        if parts.scheme != "https":
            raise ConfigError("BOT_WEBHOOK_URL must start with https://: Telegram sends webhook requests "
                              "over HTTPS only")
        if (port or 443) not in TELEGRAM_WEBHOOK_PORTS:
            raise ConfigError(f"BOT_WEBHOOK_URL: Telegram sends webhook requests only to the ports "
                              f"{', '.join(map(str, TELEGRAM_WEBHOOK_PORTS))}, not {port}")
    return url


def parse_webhook_secret(raw: str, webhook_url: str) -> Secret:
    """BOT_WEBHOOK_SECRET: required in webhook mode; never repeated in an error."""
    secret = raw.strip()
    if not secret and webhook_url:
        raise ConfigError(f"BOT_WEBHOOK_SECRET is not set: running by webhook (BOT_WEBHOOK_URL) needs a secret "
                          f"token; make one with: {MAKE_A_SECRET}")
    if secret and not SECRET_TOKEN_RE.fullmatch(secret):
        raise ConfigError(f"BOT_WEBHOOK_SECRET must be 1 to 256 characters, each A-Z, a-z, 0-9, _ or - "
                          f"(Telegram's rule); make one with: {MAKE_A_SECRET}")
    return Secret(secret)


def parse_timezone(raw: str) -> ZoneInfo:
    """BOT_TIMEZONE: an IANA time zone name (the default when unset)."""
    name = raw.strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"BOT_TIMEZONE: {name!r} is not an IANA time zone name, like Asia/Baku or "
                          f"Europe/Berlin") from None


SWITCH_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
                 "off": False}


def parse_switch(env: Mapping[str, str], name: str) -> bool:
    """A setting that is on or off: 1, true, yes, on / 0, false, no, off (off when unset)."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return False
    if raw not in SWITCH_VALUES:
        raise ConfigError(f"{name} must be 1 (on) or 0 (off), not {raw!r}")
    return SWITCH_VALUES[raw]


def parse_data_key(env: Mapping[str, str], name: str) -> Secret:
    """The data key in `name` or in the file `<name>_FILE` names (not both), checked; "" when neither is set. The
    key itself is never repeated in an error."""
    raw, file_name = env.get(name, "").strip(), env.get(f"{name}_FILE", "").strip()
    if raw and file_name:
        raise ConfigError(f"{name} and {name}_FILE are both set: set one")
    if file_name:
        try:
            raw = Path(file_name).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{name}_FILE: {file_name} cannot be read ({type(error).__name__})") from None
        name = f"{name}_FILE ({file_name})"
    if raw and data_key_bytes(Secret(raw)) is None:
        raise ConfigError(f"{name} is not a data key ({DATA_KEY_BYTES} bytes in base64url, 43 characters); make one "
                          "with: campaign-bot keygen")
    return Secret(raw)


def data_key_bytes(key: Secret) -> bytes | None:
    """The key's bytes; None if it is unset or not a key."""
    text = key.value.strip()
    if not text or not re.fullmatch(r"[A-Za-z0-9_-]+=*", text):
        return None
    try:
        value = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    return value if len(value) == DATA_KEY_BYTES else None


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
