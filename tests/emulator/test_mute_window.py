"""When a silence rule is in force (mute_window: the emulator's choice of units)."""

import datetime
import zoneinfo

import pytest

from aom_emulator.mute_window import DAY_MS, in_force

HOUR = 3_600_000


def at(text: str, zone: str = "UTC") -> int:
    """Epoch ms of a local wall-clock time ``YYYY-MM-DD HH:MM`` in ``zone``."""
    moment = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return int(moment.timestamp() * 1000)


@pytest.mark.parametrize("now, expected", [
    (999, False), (1000, True), (1999, True), (2000, False),
])
def test_fixed_window_is_half_open_epoch_ms(now, expected):
    assert in_force({"type": "FIXED", "starts_at": 1000, "ends_at": 2000}, None, now) is expected


@pytest.mark.parametrize("ends_at", [None, 0])
def test_fixed_window_without_end_never_ends(ends_at):
    config = {"type": "FIXED", "starts_at": 1000}
    if ends_at is not None:
        config["ends_at"] = ends_at
    assert in_force(config, None, 10**13) and not in_force(config, None, 999)


OFFICE_HOURS = (9 * HOUR, 17 * HOUR, "Asia/Shanghai")
NIGHT = (22 * HOUR, 2 * HOUR, "Europe/Paris")  # ends_at < starts_at: crosses midnight


@pytest.mark.parametrize("window, now, expected", [
    (OFFICE_HOURS, "2026-03-02 08:59", False), (OFFICE_HOURS, "2026-03-02 09:00", True),
    (OFFICE_HOURS, "2026-03-02 16:59", True), (OFFICE_HOURS, "2026-03-02 17:00", False),
    (NIGHT, "2026-03-02 21:59", False), (NIGHT, "2026-03-02 22:00", True),
    (NIGHT, "2026-03-03 01:59", True), (NIGHT, "2026-03-03 02:00", False),
])
def test_daily_window_is_ms_from_midnight_in_the_rule_timezone(window, now, expected):
    starts_at, ends_at, zone = window
    config = {"type": "DAILY", "starts_at": starts_at, "ends_at": ends_at}
    assert in_force(config, zone, at(now, zone)) is expected


def test_the_rule_timezone_decides():
    config = {"type": "DAILY", "starts_at": 9 * HOUR, "ends_at": 17 * HOUR}
    ten_in_shanghai = at("2026-03-02 10:00", "Asia/Shanghai")  # 02:00 UTC
    assert in_force(config, "Asia/Shanghai", ten_in_shanghai)
    assert not in_force(config, "UTC", ten_in_shanghai)


def test_absent_timezone_is_utc():
    config = {"type": "DAILY", "starts_at": 9 * HOUR, "ends_at": 17 * HOUR}
    assert in_force(config, None, at("2026-03-02 10:00"))
    assert not in_force(config, None, at("2026-03-02 10:00", "Asia/Shanghai"))


def test_daily_all_day():
    config = {"type": "DAILY", "starts_at": 0, "ends_at": DAY_MS}
    assert in_force(config, None, at("2026-03-02 00:00")) and in_force(config, None, at("2026-03-02 23:59"))


@pytest.mark.parametrize("now, expected", [
    ("2026-03-07 23:30", True),   # Saturday
    ("2026-03-08 23:30", True),   # Sunday
    ("2026-03-09 23:30", False),  # Monday
    ("2026-03-09 00:30", True),   # Monday morning: the part of Sunday's window after midnight
    ("2026-03-07 00:30", False),  # Saturday morning: Friday's window, Friday is not in scope
])
def test_weekly_scope_is_iso_weekdays_of_the_day_the_window_starts(now, expected):
    config = {"type": "WEEKLY", "starts_at": 23 * HOUR, "ends_at": 1 * HOUR, "scope": [6, 7]}
    assert in_force(config, "UTC", at(now)) is expected


@pytest.mark.parametrize("now, expected", [
    ("2026-03-01 02:00", True), ("2026-03-31 02:00", True), ("2026-03-15 02:00", False),
    ("2026-03-01 04:00", False),
])
def test_monthly_scope_is_days_of_the_month(now, expected):
    config = {"type": "MONTHLY", "starts_at": 1 * HOUR, "ends_at": 3 * HOUR, "scope": [1, 31]}
    assert in_force(config, "UTC", at(now)) is expected
