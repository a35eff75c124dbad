"""When a silence (mute) rule is in force: the ONE place that gives ``mute_config`` its units.

Neither the SDK nor the API reference says the unit of ``starts_at``/``ends_at`` nor how a
recurring window is written; these are the emulator's choices (aom_emulator/README.md, "Silence
rules"), kept here so they are easy to correct:

- ``FIXED``: epoch milliseconds (UTC), like ``create_time`` (documented as UTC milliseconds) and
  like every time of the event API. In force for ``starts_at <= now < ends_at``; ``ends_at``
  absent or 0 = no end.
- ``DAILY``, ``WEEKLY``, ``MONTHLY``: milliseconds from midnight, wall-clock time in the rule's
  ``timezone`` (an IANA name; absent = UTC), ``0 <= starts_at, ends_at <= 86_400_000``. In force
  for ``starts_at <= time of day < ends_at``; ``ends_at < starts_at`` crosses midnight (22:00 to
  02:00) and belongs to the day it starts. ``scope``: ``WEEKLY`` ISO weekdays 1 (Monday) to 7
  (Sunday), ``MONTHLY`` days of the month 1 to 31, of the day the window starts.
"""

from __future__ import annotations

import datetime
import zoneinfo

MUTE_TYPES = ("FIXED", "DAILY", "WEEKLY", "MONTHLY")
RECURRING_TYPES = ("DAILY", "WEEKLY", "MONTHLY")
SCOPED_TYPES = ("WEEKLY", "MONTHLY")
MAX_EPOCH_MS = 9_999_999_999_999  # the API reference's maximum for create_time/update_time
DAY_MS = 86_400_000
SCOPE_RANGES = {"WEEKLY": (1, 7), "MONTHLY": (1, 31)}
DEFAULT_TIMEZONE = "UTC"


def time_bounds(mute_type: str) -> tuple[int, int]:
    """The inclusive range of ``starts_at`` and ``ends_at`` for a type."""
    return (0, MAX_EPOCH_MS) if mute_type == "FIXED" else (0, DAY_MS)


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The rule's time zone; raises ValueError for a name that is not an IANA zone."""
    try:
        return zoneinfo.ZoneInfo(name or DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"not an IANA time zone name: {name!r}") from None


def in_force(mute_config: dict, timezone: str | None, now_ms: int) -> bool:
    """Whether a validated rule's window covers ``now_ms``."""
    kind, starts_at = mute_config["type"], mute_config["starts_at"]
    ends_at = mute_config.get("ends_at") or 0
    if kind == "FIXED":
        return starts_at <= now_ms and (ends_at == 0 or now_ms < ends_at)
    local = datetime.datetime.fromtimestamp(now_ms / 1000, zone(timezone))
    of_day = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.microsecond // 1000
    if starts_at <= ends_at:
        if not starts_at <= of_day < ends_at:
            return False
        window_day = local
    elif of_day >= starts_at:  # crosses midnight: the evening part, started today
        window_day = local
    elif of_day < ends_at:  # the morning part, started yesterday
        window_day = local - datetime.timedelta(days=1)
    else:
        return False
    scope = mute_config.get("scope") or []
    if kind == "WEEKLY":
        return window_day.isoweekday() in scope
    if kind == "MONTHLY":
        return window_day.day in scope
    return True
