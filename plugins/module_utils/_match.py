# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The metadata matcher: one form for the silence rules and the EDA source's filters.

``match`` is a list of items, OR between them; an item holds conditions that must all hold (AND):

- a mapping ``{metadata key: value or [values]}``: each key EQUALS one of its values;
- a full condition ``{key, operate, value}``: ``operate`` is EQUALS (one of the values), REGEX
  (one of the regular expressions matches the whole value) or EXIST (the key is present; no value);
- a list of full conditions.

``parse_match`` checks a ``match`` (every problem, each with its path) and gives a ``Matcher``:
the API form the silence rules store (a list of lists of ``{key, operate, value}``), and the
test of an alarm's metadata the event source filters with, which evaluates a condition the way
the emulator evaluates a silence rule's (``aom_emulator/mute_rules.py``, ``rule_matches``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

OPERATORS = ('EQUALS', 'REGEX', 'EXIST')
CONDITION_KEYS = ('key', 'operate', 'value')
# Control characters other than tab and newline (C0, DEL, C1): refused in metadata keys and values,
# in events (``_events``) as in matchers.
CONTROL_CHARS = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f]')

Condition = Dict[str, Any]  # {key, operate, value: [str]}, the API's form
Problem = Tuple[str, str]  # (path, message)


@dataclass(frozen=True)
class MatchLimits:
    """The most items, conditions per item, values per condition and characters a ``match`` may
    hold; None is no limit. The service stores silence rules within its limits (``_silences``);
    the source's filters are applied locally and have none."""

    condition_sets: Optional[int] = None
    conditions: Optional[int] = None
    values: Optional[int] = None
    key_length: Optional[int] = None
    value_length: Optional[int] = None


NO_LIMITS = MatchLimits()


class MatchError(ValueError):
    """A ``match`` is invalid; ``problems`` lists every problem as ``(path, message)``."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__('; '.join('%s: %s' % problem for problem in self.problems))


class Matcher:
    """A checked ``match``: ``condition_sets`` in the API's form; called with metadata, says whether it matches.

    No condition set matches every alarm (an optional filter left out).
    """

    __slots__ = ('condition_sets', '_tests')

    def __init__(self, condition_sets: List[List[Condition]]) -> None:
        self.condition_sets = condition_sets
        self._tests = [[_condition_test(condition) for condition in conditions] for conditions in condition_sets]

    def __call__(self, metadata: Mapping[str, Any]) -> bool:
        if not self._tests:
            return True
        return any(all(test(metadata) for test in tests) for tests in self._tests)

    def api(self) -> List[List[Condition]]:
        """The API's ``match``: a list (OR) of lists (AND) of ``{key, operate, value}``."""
        return [[dict(condition, value=list(condition['value'])) for condition in conditions]
                for conditions in self.condition_sets]

    def narrowing(self, unstable_keys: Iterable[str] = ()) -> Dict[str, List[str]]:
        """``{key: [values]}`` the list API may filter on without losing a match, or {}.

        Only with one condition set (the list API ANDs its filters), only its EQUALS conditions
        (the API filters by value), and never on a key that may change for the same alarm (its
        severity): an alarm followed since it matched must stay in the listing, or it would look
        cleared.
        """
        if len(self.condition_sets) != 1:
            return {}
        conditions = self.condition_sets[0]
        keys = [condition['key'] for condition in conditions]
        return dict((condition['key'], list(condition['value'])) for condition in conditions
                    if condition['operate'] == 'EQUALS' and condition['key'] not in unstable_keys
                    and keys.count(condition['key']) == 1)

    def describe(self) -> str:
        """A stable text of what matches (orders of values mean nothing); for the source's bookmark scope."""
        return json.dumps([_described(conditions) for conditions in self.condition_sets], sort_keys=True)


def _described(conditions: List[Condition]) -> Any:
    keys = [condition['key'] for condition in conditions]
    if all(condition['operate'] == 'EQUALS' for condition in conditions) and len(set(keys)) == len(keys):
        return dict((condition['key'], sorted(set(condition['value']))) for condition in conditions)
    return sorted([condition['key'], condition['operate'], sorted(set(condition['value']))] for condition in conditions)


def _condition_test(condition: Condition) -> Callable[[Mapping[str, Any]], bool]:
    key = condition['key']
    if condition['operate'] == 'EXIST':
        return lambda metadata: key in metadata
    if condition['operate'] == 'REGEX':
        patterns = [re.compile(value) for value in condition['value']]
        return lambda metadata: key in metadata and any(
            pattern.fullmatch(str(metadata[key])) for pattern in patterns)
    values = frozenset(condition['value'])
    return lambda metadata: metadata.get(key) in values


def parse_match(match: Any, path: str = 'match', limits: MatchLimits = NO_LIMITS, required: bool = False,
                allowed_values: Optional[Mapping[str, Sequence[str]]] = None) -> Matcher:
    """The ``Matcher`` of a ``match``; raises MatchError with every problem.

    ``required``: an empty or missing ``match`` is a problem (else it matches everything). A single
    mapping is taken as a list of one item. ``allowed_values``: ``{key: values}``, the only values
    an EQUALS condition on that key may name (a typo would silently match nothing).
    """
    problems: List[Problem] = []
    if isinstance(match, dict):
        match = [match]
    if match is None or match == []:
        if required:
            problems.append((path, 'is required: a non-empty list of condition sets, e.g. [{resource_id: shop@web1}]'))
        match = []
    elif not isinstance(match, list):
        problems.append((path, 'expected a list of mappings {metadata key: value or list of values} or of lists of '
                               'conditions {key, operate, value} (a non-empty list, e.g. [{resource_id: shop@web1}]), '
                               'got %s' % type_name(match)))
        match = []
    checker = _Checker(problems, limits, allowed_values or {})
    if limits.condition_sets and len(match) > limits.condition_sets:
        problems.append((path, '%d items are too many; at most %d' % (len(match), limits.condition_sets)))
    condition_sets = [checker.condition_set(item, '%s[%d]' % (path, index)) for index, item in enumerate(match)]
    if problems:
        raise MatchError(problems)
    return Matcher(condition_sets)


def match_from_api(api_match: Optional[List[List[Condition]]]) -> List[Any]:
    """The API's list of lists -> the ``match`` form (easy mappings where they say the same)."""
    found: List[Any] = []
    for conditions in api_match or []:
        keys = [condition.get('key') for condition in conditions]
        easy = all(condition.get('operate') == 'EQUALS' and condition.get('value') for condition in conditions)
        if easy and len(set(keys)) == len(keys):
            found.append(dict((c['key'], c['value'][0] if len(c['value']) == 1 else list(c['value'])) for c in conditions))
        else:
            found.append([_listed_condition(condition) for condition in conditions])
    return found


def _listed_condition(condition: Condition) -> Condition:
    listed = {'key': condition.get('key'), 'operate': condition.get('operate')}
    if condition.get('value'):
        listed['value'] = list(condition['value'])
    return listed


def canonical_match(api_match: Optional[List[List[Condition]]]) -> List[Any]:
    """A comparable form: the order of items, of conditions and of values means nothing."""
    return sorted(
        sorted((c.get('key') or '', c.get('operate') or '', tuple(sorted(c.get('value') or []))) for c in conditions)
        for conditions in api_match or [])


def type_name(value: Any) -> str:
    """The name of a value's type in a message: ``null`` for None, else the Python type's."""
    return 'null' if value is None else type(value).__name__


class _Checker:
    """The checks of one ``match``; each problem is appended to ``problems``, never raised."""

    def __init__(self, problems: List[Problem], limits: MatchLimits, allowed_values: Mapping[str, Sequence[str]]) -> None:
        self.problems = problems
        self.limits = limits
        self.allowed_values = allowed_values

    def add(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def condition_set(self, item: Any, path: str) -> List[Condition]:
        """One item of ``match`` (conditions that must all hold) -> a list of API conditions."""
        if isinstance(item, dict) and 'operate' in item:
            conditions = [self.full_condition(item, path)]
        elif isinstance(item, dict):
            conditions = []
            for key, value in item.items():
                key_path = '%s.%s' % (path, key)
                text = self.text(key, key_path, 'a metadata key', self.limits.key_length)
                conditions.append({'key': text, 'operate': 'EQUALS',
                                   'value': self.values(value, key_path, 'EQUALS', text)})
        elif isinstance(item, list):
            conditions = []
            for index, condition in enumerate(item):
                condition_path = '%s[%d]' % (path, index)
                if not isinstance(condition, dict):
                    self.add(condition_path, '%s is not allowed; expected a condition {key, operate, value}'
                             % type_name(condition))
                    continue
                conditions.append(self.full_condition(condition, condition_path))
        else:
            self.add(path, '%s is not allowed; expected a mapping of metadata keys to values, or a list of '
                           'conditions {key, operate, value}' % type_name(item))
            return []
        if not conditions:
            self.add(path, 'is empty; expected at least one condition')
        if self.limits.conditions and len(conditions) > self.limits.conditions:
            self.add(path, '%d conditions are too many; at most %d in one item' % (len(conditions), self.limits.conditions))
        return conditions

    def full_condition(self, item: Dict[Any, Any], path: str) -> Condition:
        """``{key, operate, value}`` -> the API's condition."""
        for key in sorted(str(key) for key in item if key not in CONDITION_KEYS):
            self.add('%s.%s' % (path, key), 'is not a field of a condition; allowed: %s' % ', '.join(CONDITION_KEYS))
        operate = item.get('operate')
        if not isinstance(operate, str) or operate.upper() not in OPERATORS:
            self.add('%s.operate' % path, '%r is not allowed; expected one of %s' % (operate, ', '.join(OPERATORS)))
            operate = None
        else:
            operate = operate.upper()
        if 'key' not in item:
            self.add('%s.key' % path, 'is required: the metadata key the condition looks at')
            key = None
        else:
            key = self.text(item['key'], '%s.key' % path, 'a metadata key', self.limits.key_length)
        values = self.values(item.get('value'), '%s.value' % path, operate, key) if operate else []
        return {'key': key, 'operate': operate, 'value': values}

    def values(self, value: Any, path: str, operate: str, key: Optional[str]) -> List[str]:
        """A condition's values as a list of strings (a single value becomes a list of one)."""
        values = value if isinstance(value, list) else [value]
        most = self.limits.values
        if operate == 'EXIST':
            if value not in (None, [], ''):
                self.add(path, 'EXIST takes no value (it matches any alarm that has the key); got %r' % (value,))
            return []
        if not values or value is None:
            self.add(path, '%s needs %s' % (operate, '1 to %d values' % most if most else 'at least 1 value'))
            return []
        if most and len(values) > most:
            self.add(path, '%d values are too many; at most %d per condition' % (len(values), most))
        allowed = self.allowed_values.get(key) if operate == 'EQUALS' else None
        found = []
        for index, item in enumerate(values):
            item_path = '%s[%d]' % (path, index) if isinstance(value, list) else path
            text = self.text(item, item_path, 'a value', self.limits.value_length)
            if text is None:
                continue
            if operate == 'REGEX':
                try:
                    re.compile(text)
                except re.error as err:
                    self.add(item_path, '%r is not a regular expression: %s' % (text, err))
                    continue
            if allowed and text not in allowed:
                self.add(item_path, '%r is not allowed; expected one of %s' % (text, ', '.join(allowed)))
                continue
            found.append(text)
        return found

    def text(self, value: Any, path: str, what: str, limit: Optional[int]) -> Optional[str]:
        """A key or value as a non-empty str (ints converted), or None with a problem recorded."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.add(path, '%r is not allowed; expected a non-empty string as %s' % (value, what))
            return None
        if limit and len(value) > limit:
            self.add(path, '%d characters are too many for %s; at most %d' % (len(value), what, limit))
            return None
        if CONTROL_CHARS.search(value):
            self.add(path, 'control characters are not allowed in %s' % what)
            return None
        return value
