"""A time as an admin types it for a scheduled push, read in the campaign's time zone.

Accepted: "18:30" (today), "tomorrow 09:00" (also "today 18:30", and the same words in Azerbaijani and Russian:
"sabah", "bu gün", "завтра", "сегодня"), "2026-12-10 18:30" and "10.12.2026 18:30". Minutes are the precision;
"18.30" is read as "18:30". A time that has passed, or more than `MAX_AHEAD_DAYS` ahead, is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_AHEAD_DAYS = 366
"""A time further ahead is most likely a typo (2062 for 2026)."""

TODAY = ("today", "bu gün", "bugün", "сегодня")
TOMORROW = ("tomorrow", "sabah", "завтра")

_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
_FORMS = (
    re.compile(rf"^(?P<day>{'|'.join(TODAY + TOMORROW)})\s*,?\s*{_TIME}$"),
    re.compile(rf"^(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<dom>\d{{1,2}})\s*,?\s*{_TIME}$"),
    re.compile(rf"^(?P<dom>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}})\s*,?\s*{_TIME}$"),
    re.compile(rf"^{_TIME}$"),
)

UNREADABLE, PAST, TOO_FAR = "unreadable", "past", "too_far"


class WhenError(ValueError):
    """Why a typed time was refused: `UNREADABLE`, `PAST` or `TOO_FAR`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The moment `text` names in `zone` (as UTC), later than `now`; raises WhenError."""
    typed = " ".join(text.strip().lower().split())
    local_now = now.astimezone(zone)
    for form in _FORMS:
        match = form.match(typed)
        if match is None:
            continue
        parts = match.groupdict()
        try:
            moment = time(int(parts["hour"]), int(parts["minute"]))
            if parts.get("year"):
                day = date(int(parts["year"]), int(parts["month"]), int(parts["dom"]))
            else:
                day = local_now.date() + timedelta(days=1 if parts.get("day") in TOMORROW else 0)
        except ValueError:
            raise WhenError(UNREADABLE) from None
        when = datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)
        if when <= now:
            raise WhenError(PAST)
        if when - now > timedelta(days=MAX_AHEAD_DAYS):
            raise WhenError(TOO_FAR)
        return when
    raise WhenError(UNREADABLE)
