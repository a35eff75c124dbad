# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils import _silences
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.module_utils._silences import (
    SilenceValidationError,
    _Problems,
    build_rule,
    canonical_match,
    in_force,
    match_from_api,
    match_to_api,
    plan_absent,
    plan_present,
    silence_options,
    stored_rule,
)

NOW = 1700000000000  # 2023-11-14T22:13:20Z, a Tuesday
MINUTE = 60000


def params(**overrides):
    base = dict(name='deploy_shop', description=None, timezone='UTC', match=[{'resource_id': 'shop@web1'}],
                repeat='none', starts_at=None, ends_at=None, duration='30m', days=None)
    base.update(overrides)
    return base


def converted(match):
    problems = _Problems()
    api = match_to_api(match, problems)
    problems.check()
    return api


def refused(**overrides):
    with pytest.raises(SilenceValidationError) as info:
        build_rule(params(**overrides), NOW)
    return info.value


# -- matchers -------------------------------------------------------------------------------

def test_easy_items_are_or_and_their_keys_and():
    api = converted([{'resource_id': 'shop@web1', 'event_severity': ['Major', 'Critical']}, {'cluster': 7}])
    assert api == [
        [{'key': 'resource_id', 'operate': 'EQUALS', 'value': ['shop@web1']},
         {'key': 'event_severity', 'operate': 'EQUALS', 'value': ['Major', 'Critical']}],
        [{'key': 'cluster', 'operate': 'EQUALS', 'value': ['7']}],
    ]


def test_full_conditions_alone_or_in_a_list():
    api = converted([{'key': 'resource_id', 'operate': 'regex', 'value': 'shop@.*'},
                     [{'key': 'event_name', 'operate': 'EXIST'},
                      {'key': 'event_severity', 'operate': 'EQUALS', 'value': ['Major']}]])
    assert api == [
        [{'key': 'resource_id', 'operate': 'REGEX', 'value': ['shop@.*']}],
        [{'key': 'event_name', 'operate': 'EXIST', 'value': []},
         {'key': 'event_severity', 'operate': 'EQUALS', 'value': ['Major']}],
    ]


def test_match_round_trips_through_the_api_form():
    for match in ([{'resource_id': 'shop@web1', 'event_severity': ['Major', 'Critical']}],
                  [[{'key': 'resource_id', 'operate': 'REGEX', 'value': ['shop@.*']}]],
                  [[{'key': 'event_name', 'operate': 'EXIST'}, {'key': 'cluster', 'operate': 'EQUALS', 'value': ['a']}]],
                  # the same key twice cannot be a mapping: kept as full conditions
                  [[{'key': 'a', 'operate': 'EQUALS', 'value': ['1']}, {'key': 'a', 'operate': 'EQUALS', 'value': ['2']}]]):
        api = converted(match)
        assert match_from_api(api) == match
        assert converted(match_from_api(api)) == api


def test_a_single_full_condition_is_listed_as_a_list_of_one():
    api = converted([{'key': 'resource_id', 'operate': 'REGEX', 'value': ['x.*']}])
    assert match_from_api(api) == [[{'key': 'resource_id', 'operate': 'REGEX', 'value': ['x.*']}]]


def test_canonical_match_ignores_orders_only():
    one = converted([{'a': ['1', '2'], 'b': '3'}, {'c': '4'}])
    other = converted([{'c': '4'}, {'b': '3', 'a': ['2', '1']}])
    assert canonical_match(one) == canonical_match(other)
    assert canonical_match(one) != canonical_match(converted([{'a': ['1', '2'], 'b': '3'}, {'c': '5'}]))
    assert canonical_match(converted([{'a': '1'}])) != canonical_match(
        converted([{'key': 'a', 'operate': 'REGEX', 'value': '1'}]))


@pytest.mark.parametrize('match, path, words', [
    (None, 'match', 'non-empty list'),
    ([], 'match', 'non-empty list'),
    ('resource_id=x', 'match', 'non-empty list'),
    ([{}], 'match[0]', 'is empty'),
    ([[]], 'match[0]', 'is empty'),
    (['shop'], 'match[0]', 'str is not allowed'),
    ([{'resource_id': ''}], 'match[0].resource_id', 'non-empty string'),
    ([{'resource_id': []}], 'match[0].resource_id', 'needs 1 to 5 values'),
    ([{'resource_id': None}], 'match[0].resource_id', 'needs 1 to 5 values'),
    ([{'resource_id': ['a', 'b', 'c', 'd', 'e', 'f']}], 'match[0].resource_id', 'at most 5'),
    ([{'resource_id': {'x': 1}}], 'match[0].resource_id', 'non-empty string'),
    ([{'resource_id': True}], 'match[0].resource_id', 'non-empty string'),
    ([{'resource_id': 'a\x07b'}], 'match[0].resource_id', 'control characters'),
    ([{'key': 'a', 'operate': 'LIKE', 'value': ['x']}], 'match[0].operate', 'EQUALS, REGEX, EXIST'),
    ([{'operate': 'EQUALS', 'value': ['x']}], 'match[0].key', 'is required'),
    ([{'key': 'a', 'operate': 'EXIST', 'value': ['x']}], 'match[0].value', 'EXIST takes no value'),
    ([{'key': 'a', 'operate': 'REGEX', 'value': ['(']}], 'match[0].value[0]', 'not a regular expression'),
    ([{'key': 'a', 'operate': 'REGEX'}], 'match[0].value', 'needs 1 to 5 values'),
    ([{'key': 'a', 'operate': 'EQUALS', 'value': 'x', 'relation': 'AND'}], 'match[0].relation', 'not a field'),
    ([['resource_id']], 'match[0][0]', 'expected a condition'),
    ([{'k' * 129: 'v'}], 'match[0].' + 'k' * 129, 'at most 128'),
    ([{'resource_id': 'v' * 257}], 'match[0].resource_id', 'at most 256'),
    ([{'a': '1'}] * 11, 'match', 'at most 10'),
    ([dict(('k%d' % i, 'v') for i in range(11))], 'match[0]', 'at most 10 in one item'),
])
def test_bad_matchers_name_the_field(match, path, words):
    problems = _Problems()
    match_to_api(match, problems)
    assert [found for found in problems.found if found['path'] == path and words in found['message']], problems.found


def test_every_problem_is_reported_at_once():
    err = refused(name='_bad', match=[{'key': 'a', 'operate': 'LIKE'}], duration='soon', timezone='Mars/Olympus')
    paths = [error['path'] for error in err.errors]
    assert paths == ['name', 'timezone', 'match[0].operate', 'duration']
    assert str(err).startswith('4 problems: name: ')
    assert err.to_dict()['errors'] == err.errors


# -- windows ---------------------------------------------------------------------------------

def test_duration_from_now_is_a_fixed_window_in_epoch_ms():
    rule, window = build_rule(params(), NOW)
    assert rule == {'name': 'deploy_shop', 'desc': '', 'timezone': 'UTC',
                    'match': [[{'key': 'resource_id', 'operate': 'EQUALS', 'value': ['shop@web1']}]],
                    'mute_config': {'type': 'FIXED', 'starts_at': NOW, 'ends_at': NOW + 30 * MINUTE, 'scope': []}}
    assert (window.start, window.end, window.must_cover_until) == (NOW, NOW + 30 * MINUTE, NOW + 1)


def test_absolute_times_in_iso_8601_or_epoch():
    rule, window = build_rule(params(duration=None, starts_at='2030-01-01T00:00:00+01:00', ends_at=1893456000000), NOW)
    assert rule['mute_config']['starts_at'] == 1893452400000
    assert rule['mute_config']['ends_at'] == 1893456000000
    assert window.must_cover_until == 1893456000000


def test_the_unit_conversion_is_in_one_place(monkeypatch):
    # were the service's FIXED unit seconds, one constant would say so
    monkeypatch.setattr(_silences, 'FIXED_TIME_UNIT_MS', 1000)
    rule, _window = build_rule(params(), NOW)
    assert rule['mute_config']['starts_at'] == NOW // 1000
    assert silence_options(rule)['starts_at'] == NOW
    # and were recurring windows in seconds after midnight
    monkeypatch.setattr(_silences, 'TIME_OF_DAY_UNITS_PER_SECOND', 1)
    rule, _window = build_rule(params(repeat='daily', duration=None, starts_at='18:00', ends_at='23:59:59'), NOW)
    assert rule['mute_config'] == {'type': 'DAILY', 'starts_at': 64800, 'ends_at': 86399, 'scope': []}
    assert silence_options(rule)['ends_at'] == '23:59:59'


@pytest.mark.parametrize('overrides, path, words', [
    (dict(duration=None), 'ends_at', 'neither'),
    (dict(ends_at=NOW + MINUTE), 'ends_at', 'both'),
    (dict(duration='0m'), 'duration', 'longer than 0'),
    (dict(duration='soon'), 'duration', 'not a duration'),
    (dict(duration=None, ends_at='tomorrow'), 'ends_at', 'not a time'),
    (dict(duration=None, ends_at=NOW - MINUTE, starts_at=NOW - 2 * MINUTE), 'ends_at', 'already passed'),
    (dict(duration=None, ends_at=NOW + MINUTE, starts_at=NOW + 2 * MINUTE), 'ends_at', 'not after starts_at'),
    (dict(starts_at=1700000000), 'starts_at', 'epoch seconds'),
    (dict(days=[1]), 'days', 'only for repeat=weekly'),
    (dict(repeat='hourly'), 'repeat', 'none, daily, weekly, monthly'),
    (dict(repeat='daily', duration=None, starts_at='22:00', ends_at='22:00'), 'ends_at', 'same time of day'),
    (dict(repeat='daily', starts_at='22:00', ends_at='23:00'), 'duration', 'only for repeat=none'),
    (dict(repeat='daily', duration=None, starts_at='24:00', ends_at='01:00'), 'starts_at', 'not a time of day'),
    (dict(repeat='daily', duration=None, starts_at=86400, ends_at='01:00'), 'starts_at', 'not a time of day'),
    (dict(repeat='daily', duration=None, ends_at='01:00'), 'starts_at', 'is required'),
    (dict(repeat='daily', duration=None, starts_at='1:00', ends_at='2:00', days=[1]), 'days', 'only for'),
    (dict(repeat='weekly', duration=None, starts_at='1:00', ends_at='2:00'), 'days', '1 = Monday'),
    (dict(repeat='weekly', duration=None, starts_at='1:00', ends_at='2:00', days=[8]), 'days[0]', '1 (Monday) to 7'),
    (dict(repeat='weekly', duration=None, starts_at='1:00', ends_at='2:00', days=['Mo']), 'days[0]', 'weekday name'),
    (dict(repeat='monthly', duration=None, starts_at='1:00', ends_at='2:00', days=[0, 32]), 'days[1]', '1 to 31'),
    (dict(name='a' * 101), 'name', '1 to 100 letters'),
    (dict(name='bad-name'), 'name', 'letters, digits and _'),
    (dict(name='ends_'), 'name', 'not starting or ending with _'),
    (dict(timezone='Nowhere/City'), 'timezone', 'not a known time zone'),
    (dict(description=5), 'description', 'expected a string'),
    (dict(description='d' * 1025), 'description', 'at most 1024'),
    (dict(timezone='A' * 33), 'timezone', 'at most 32'),
])
def test_bad_windows_and_fields_name_the_field(overrides, path, words):
    err = refused(**overrides)
    assert [e for e in err.errors if e['path'] == path and words in e['message']], err.errors


def test_recurring_windows():
    rule, window = build_rule(params(repeat='weekly', duration=None, starts_at='22:30', ends_at='02:00:30',
                                     days=['Sat', 'sunday', 6, '1']), NOW)
    assert window is None
    assert rule['mute_config'] == {'type': 'WEEKLY', 'starts_at': 81000000, 'ends_at': 7230000, 'scope': [1, 6, 7]}
    assert silence_options(rule) == {'name': 'deploy_shop', 'description': '', 'timezone': 'UTC',
                                     'match': [{'resource_id': 'shop@web1'}], 'repeat': 'weekly',
                                     'starts_at': '22:30', 'ends_at': '02:00:30', 'days': [1, 6, 7]}
    rule, _window = build_rule(params(repeat='monthly', duration=None, starts_at=0, ends_at=3600, days=[31]), NOW)
    assert rule['mute_config'] == {'type': 'MONTHLY', 'starts_at': 0, 'ends_at': 3600000, 'scope': [31]}
    rule, _window = build_rule(params(repeat='daily', duration=None, starts_at='01:00', ends_at='02:00'), NOW)
    assert rule['mute_config'] == {'type': 'DAILY', 'starts_at': 3600000, 'ends_at': 7200000, 'scope': []}
    assert 'days' not in silence_options(rule)


def test_listed_options_build_the_same_rule():
    for overrides in (dict(duration=None, starts_at=NOW - MINUTE, ends_at=NOW + MINUTE, description='x'),
                      dict(repeat='weekly', duration=None, starts_at='22:30:15', ends_at='01:00', days=[2],
                           timezone='Asia/Shanghai')):
        rule, _window = build_rule(params(**overrides), NOW)
        again, _window = build_rule(dict(silence_options(rule), duration=None), NOW)
        assert again == rule


# -- covering and planning ---------------------------------------------------------------------

def stored(start, end, **extra):
    rule, _window = build_rule(params(duration=None, starts_at=start, ends_at=end), min(start, NOW))
    return dict(rule, create_time=1, update_time=2, user_id='u', **extra)


def test_a_window_already_covered_is_unchanged():
    existing = stored(NOW - 10 * MINUTE, NOW + 60 * MINUTE)
    rule, window = build_rule(params(duration=None, starts_at=NOW - 5 * MINUTE, ends_at=NOW + 50 * MINUTE), NOW)
    result, before, after = plan_present(rule, window, [existing], NOW)
    assert result == 'unchanged' and before == after == stored_rule(existing)


def test_a_window_reaching_further_is_an_update():
    existing = stored(NOW - 10 * MINUTE, NOW + 20 * MINUTE)
    rule, window = build_rule(params(duration=None, starts_at=NOW - 5 * MINUTE, ends_at=NOW + 50 * MINUTE), NOW)
    result, before, after = plan_present(rule, window, [existing], NOW)
    assert result == 'updated' and after['mute_config']['ends_at'] == NOW + 50 * MINUTE
    assert before['mute_config']['ends_at'] == NOW + 20 * MINUTE


def test_a_rerun_of_a_duration_within_the_window_does_not_move_it():
    rule, window = build_rule(params(), NOW)
    later = NOW + 10 * MINUTE
    rerun, rerun_window = build_rule(params(), later)
    result, _before, after = plan_present(rerun, rerun_window, [dict(rule, create_time=1)], later)
    assert result == 'unchanged' and after['mute_config'] == rule['mute_config']


def test_a_rerun_with_other_matchers_keeps_the_window_and_updates_the_rest():
    rule, _window = build_rule(params(), NOW)
    later = NOW + 10 * MINUTE
    rerun, rerun_window = build_rule(params(match=[{'resource_id': 'shop@web2'}]), later)
    result, _before, after = plan_present(rerun, rerun_window, [rule], later)
    assert result == 'updated'
    assert after['mute_config'] == rule['mute_config']
    assert after['match'] == [[{'key': 'resource_id', 'operate': 'EQUALS', 'value': ['shop@web2']}]]


def test_an_expired_rule_of_the_same_name_is_replaced():
    rule, _window = build_rule(params(), NOW)
    later = NOW + 31 * MINUTE
    rerun, rerun_window = build_rule(params(), later)
    result, _before, after = plan_present(rerun, rerun_window, [rule], later)
    assert result == 'updated' and after['mute_config']['starts_at'] == later
    assert after['mute_config']['ends_at'] == later + 30 * MINUTE


def test_a_recurring_rule_is_compared_exactly_and_orders_mean_nothing():
    rule, window = build_rule(params(repeat='weekly', duration=None, starts_at='1:00', ends_at='2:00', days=[1, 3],
                                     match=[{'a': ['1', '2']}, {'b': '3'}]), NOW)
    listed = dict(rule, mute_config=dict(rule['mute_config'], scope=[3, 1]), match=list(reversed(rule['match'])))
    assert plan_present(rule, window, [listed], NOW)[0] == 'unchanged'
    changed, _window = build_rule(params(repeat='weekly', duration=None, starts_at='1:00', ends_at='2:01', days=[1, 3],
                                         match=[{'a': ['1', '2']}, {'b': '3'}]), NOW)
    assert plan_present(changed, None, [listed], NOW)[0] == 'updated'


def test_the_limit_of_100_rules_refuses_a_new_name_only():
    rules = [stored(NOW - MINUTE, NOW + MINUTE, name='r%d' % i) for i in range(100)]
    rule, window = build_rule(params(), NOW)
    with pytest.raises(AOMError, match='already holds 100 silence rules'):
        plan_present(rule, window, rules, NOW)
    rule, window = build_rule(params(name='r7', duration=None, starts_at=NOW - MINUTE, ends_at=NOW + MINUTE), NOW)
    assert plan_present(rule, window, rules, NOW)[0] == 'unchanged'
    assert plan_present(rule, window, rules[:99], NOW)[0] == 'unchanged'


def test_absent():
    existing = stored(NOW - MINUTE, NOW + MINUTE)
    assert plan_absent('deploy_shop', [existing]) == ('deleted', stored_rule(existing), None)
    assert plan_absent('other', [existing]) == ('absent', None, None)


# -- in force ---------------------------------------------------------------------------------

def at(text):
    return int(datetime.datetime.fromisoformat(text).timestamp() * 1000)


def recurring(repeat, start, end, days=None, timezone='UTC'):
    rule, _window = build_rule(params(repeat=repeat, duration=None, starts_at=start, ends_at=end, days=days,
                                      timezone=timezone), NOW)
    return rule


def test_fixed_in_force_from_start_until_end():
    rule = stored(NOW, NOW + MINUTE)
    assert [in_force(rule, t) for t in (NOW - 1, NOW, NOW + MINUTE - 1, NOW + MINUTE)] == [False, True, True, False]


def test_fixed_without_end_is_in_force_from_its_start():
    rule = dict(stored(NOW, NOW + MINUTE), mute_config={'type': 'FIXED', 'starts_at': NOW, 'ends_at': 0})
    assert [in_force(rule, t) for t in (NOW - 1, NOW, NOW + 10 ** 9)] == [False, True, True]


def test_daily_over_midnight():
    rule = recurring('daily', '22:00', '02:00')
    assert in_force(rule, at('2024-01-10T23:00:00+00:00'))
    assert in_force(rule, at('2024-01-10T01:59:59+00:00'))
    assert not in_force(rule, at('2024-01-10T02:00:00+00:00'))
    assert not in_force(rule, at('2024-01-10T12:00:00+00:00'))


def test_weekly_counts_the_day_the_window_opened_in_its_time_zone():
    rule = recurring('weekly', '22:00', '02:00', days=['Sat'], timezone='Asia/Shanghai')
    # Saturday 23:00 and Sunday 01:00 in Shanghai (UTC+8) belong to Saturday's window
    assert in_force(rule, at('2024-01-13T23:00:00+08:00'))
    assert in_force(rule, at('2024-01-14T01:00:00+08:00'))
    assert not in_force(rule, at('2024-01-14T23:00:00+08:00'))
    # the same instant read in UTC is Saturday 15:00: out of the window
    assert not in_force(recurring('weekly', '22:00', '02:00', days=['Sat']), at('2024-01-13T23:00:00+08:00'))


def test_monthly():
    rule = recurring('monthly', '00:00', '06:00', days=[1, 15])
    assert in_force(rule, at('2024-02-15T05:00:00+00:00'))
    assert not in_force(rule, at('2024-02-16T05:00:00+00:00'))
