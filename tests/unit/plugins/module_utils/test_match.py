# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one metadata matcher, as the silence rules and the EDA source's filters use it."""
from __future__ import annotations

import json

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import build_events
from ansible_collections.huaweicloud.aom.plugins.module_utils._match import (
    MatchError,
    MatchLimits,
    parse_match,
)

WEB1_MAJOR = {'resource_id': 'web1', 'event_severity': 'Major', 'event_name': 'disk full'}
WEB2_INFO = {'resource_id': 'web2', 'event_severity': 'Info', 'event_name': 'cpu'}


def problems(match, **kwargs):
    with pytest.raises(MatchError) as caught:
        parse_match(match, **kwargs)
    return caught.value.problems


@pytest.mark.parametrize('match, web1, web2', [
    (None, True, True),
    ([], True, True),
    ([{'resource_id': 'web1'}], True, False),
    ({'resource_id': ['web1', 'web2']}, True, True),  # a single mapping is one item
    ([{'resource_id': 'web1', 'event_severity': 'Info'}], False, False),  # AND inside an item
    ([{'resource_id': 'web1', 'event_severity': 'Info'}, {'event_name': 'cpu'}], False, True),  # OR between
    ([{'key': 'resource_id', 'operate': 'REGEX', 'value': 'web[0-9]'}], True, True),
    ([{'key': 'resource_id', 'operate': 'REGEX', 'value': ['web']}], False, False),  # the whole value
    ([{'key': 'event_name', 'operate': 'regex', 'value': ['disk.*']}], True, False),
    ([{'key': 'resource_id', 'operate': 'EXIST'}], True, True),
    ([{'key': 'host', 'operate': 'EXIST'}], False, False),
    ([[{'key': 'resource_id', 'operate': 'EXIST'}, {'key': 'event_severity', 'operate': 'EQUALS', 'value': 'Info'}]],
     False, True),
])
def test_an_alarm_matches_any_item_whose_conditions_all_hold(match, web1, web2):
    matcher = parse_match(match)
    assert (matcher(WEB1_MAJOR), matcher(WEB2_INFO)) == (web1, web2)


def test_the_api_form_is_a_list_of_lists_of_conditions():
    matcher = parse_match([{'resource_id': 'web1', 'event_severity': ['Major', 'Critical']},
                           {'key': 'event_name', 'operate': 'exist'}])
    assert matcher.api() == [
        [{'key': 'resource_id', 'operate': 'EQUALS', 'value': ['web1']},
         {'key': 'event_severity', 'operate': 'EQUALS', 'value': ['Major', 'Critical']}],
        [{'key': 'event_name', 'operate': 'EXIST', 'value': []}]]


def test_narrowing_keeps_only_what_the_list_api_can_filter_without_losing_a_match():
    one = parse_match([[{'key': 'resource_id', 'operate': 'EQUALS', 'value': ['web1', 'web2']},
                        {'key': 'event_severity', 'operate': 'EQUALS', 'value': ['Major']},
                        {'key': 'event_name', 'operate': 'REGEX', 'value': ['disk.*']},
                        {'key': 'region', 'operate': 'EQUALS', 'value': ['a']},
                        {'key': 'region', 'operate': 'EQUALS', 'value': ['a', 'b']}]])
    assert one.narrowing(('event_severity',)) == {'resource_id': ['web1', 'web2']}
    assert parse_match([{'a': '1'}, {'b': '2'}]).narrowing() == {}
    assert parse_match(None).narrowing() == {}


def test_describe_ignores_orders_and_keeps_the_mapping_form_of_earlier_bookmarks():
    described = parse_match([{'resource_id': ['web2', 'web1'], 'event_name': 'x'}]).describe()
    assert described == json.dumps([{'event_name': ['x'], 'resource_id': ['web1', 'web2']}], sort_keys=True)
    assert described == parse_match({'event_name': 'x', 'resource_id': ['web1', 'web2', 'web1']}).describe()
    assert parse_match([{'key': 'a', 'operate': 'REGEX', 'value': 'x'}]).describe() != \
        parse_match([{'key': 'a', 'operate': 'EQUALS', 'value': 'x'}]).describe()


def test_limits_apply_only_when_given():
    many = [{'resource_id': ['v%d' % i for i in range(8)], 'k' * 200: 'v' * 300}] * 12
    assert parse_match(many)(dict(resource_id='v3', **{'k' * 200: 'v' * 300}))
    paths = [path for path, _message in problems(many, limits=MatchLimits(10, 10, 5, 128, 256))]
    assert paths[0] == 'match' and 'match[0].resource_id' in paths and 'match[0].' + 'k' * 200 in paths


def test_required_and_allowed_values():
    required = 'is required: a non-empty list of condition sets, e.g. [{resource_id: shop@web1}]'
    assert problems(None, required=True) == [('match', required)]
    found = problems([{'event_severity': ['Major', 'major']}], allowed_values={'event_severity': ('Major', 'Minor')})
    assert found == [('match[0].event_severity[1]', "'major' is not allowed; expected one of Major, Minor")]
    # a regular expression is not checked against the allowed values
    assert parse_match([{'key': 'event_severity', 'operate': 'REGEX', 'value': 'M.*'}],
                       allowed_values={'event_severity': ('Major',)})({'event_severity': 'Minor'})


def test_every_problem_is_reported_with_its_path():
    found = problems([{}, {'key': 'a', 'operate': 'LIKE'}, {'b': ''}, [{'key': 'c', 'operate': 'REGEX', 'value': '('}]],
                     path='filters')
    assert [path for path, _message in found] == ['filters[0]', 'filters[1].operate', 'filters[2].b', 'filters[3][0].value']
    assert str(MatchError(found)).startswith('filters[0]: is empty; expected at least one condition; filters[1].operate: ')


@pytest.mark.parametrize('char', ['\x00', '\r', '\x1b', '\x7f', '\x85', '\x9f'])
def test_a_matcher_refuses_the_control_characters_an_event_refuses(char):
    # one rule for metadata text: a matcher naming a value no event can hold would match nothing
    with pytest.raises(AOMValidationError, match='control character'):
        build_events(dict(event_name='cpu', resource_provider='ecs', resource_type='vm', resource_id='a%sb' % char))
    assert 'control characters are not allowed' in json.dumps(problems([{'resource_id': 'a%sb' % char}]))


@pytest.mark.parametrize('char', ['\t', '\n'])
def test_tab_and_newline_are_allowed_in_a_matcher_as_in_an_event(char):
    assert parse_match([{'resource_id': 'a%sb' % char}])({'resource_id': 'a%sb' % char})
