# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AOMModule's result: no_log values are masked exactly as ansible-core's full scan masks them.

AOMModule sets aside, from core's no_log scan, the parts of a result whose JSON text holds no
no_log value (ansible-core 2.19+). Each case runs the real exit_json / fail_json twice, with and
without that, and compares what the module prints: the same JSON, and no secret in it.
"""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.huaweicloud.aom.plugins.module_utils import _module

PROJECT = '0123456789abcdef0123456789abcdef'
TOKEN = 'tok-Secret-4711'
MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def event(index, **annotations):
    return {'metadata': {'event_name': 'cpu high', 'resource_id': 'vm-%d' % index}, 'annotations': annotations,
            'starts_at': 1700000000000 + index, 'ends_at': 0, 'timeout': 3600000, 'result': 'reported'}


def printed(capsys, monkeypatch, args, result, fast, fail=False, plain=True):
    """What the module prints for ``exit_json(**result)`` (``fail_json``), with or without the fast path."""
    monkeypatch.setattr(_module, '_HAS_RESULT_HOOK', fast and _module._HAS_RESULT_HOOK)
    spec = dict(events=dict(type='list', elements='dict'), extra=dict(type='raw'))
    args = dict(dict(endpoint='http://127.0.0.1:9', allow_http=True, project_id=PROJECT, auth_token=TOKEN), **args)
    result = json.loads(json.dumps(result)) if plain else dict(result)  # a copy: exit_json changes it
    with patch_module_args(args):  # its JSON profile is in force until the module has printed
        module = _module.AOMModule(argument_spec=spec)
        capsys.readouterr()
        with pytest.raises(SystemExit):
            if fail:
                module.fail_json(msg='failed', **result)
            else:
                module.exit_json(**result)
    return json.loads(capsys.readouterr().out)


CASES = {
    'clean events in and out': (dict(events=[event(1), event(2)]), dict(changed=True, events=[event(1), event(2)])),
    'the token inside an annotation of the result': (
        {}, dict(changed=True, events=[event(1), event(2, note='token %s here' % TOKEN)])),
    'the token as a whole annotation of an input event': (
        dict(events=[event(1), event(2, note=TOKEN)]), dict(changed=True, events=[event(1)])),
    'the token in a nested list': ({}, dict(changed=True, diff={'after': {'x': [['a', TOKEN]]}})),
    'the token as a mapping key (core does not mask keys)': ({}, dict(changed=False, found={TOKEN: 'v'})),
    'a number that contains a numeric secret': (dict(auth_token='0000000042'), dict(changed=False, counts={'n': 10000000000420})),
    'a secret with a quote and a backslash': (
        dict(auth_token='a"b\\c'), dict(changed=False, events=[event(1, note='x a"b\\c y')], counts={'n': 1})),
    'a non-ASCII secret (JSON text holds it as itself)': (
        dict(auth_token='tök-Sëcret'), dict(changed=False, events=[event(1, note='x tök-Sëcret y'), event(2)])),
    'the URL credentials of the endpoint': (
        dict(endpoint='http://user:pw-Secret@127.0.0.1:9'), dict(changed=False, events=[event(1, note='pw-Secret')])),
}


@pytest.mark.parametrize('case', sorted(CASES))
@pytest.mark.parametrize('fail', [False, True])
def test_the_result_is_masked_as_by_the_full_scan(capsys, monkeypatch, case, fail):
    args, result = CASES[case]
    fast = printed(capsys, monkeypatch, args, result, fast=True, fail=fail)
    full = printed(capsys, monkeypatch, args, result, fast=False, fail=fail)
    assert fast == full
    if 'key' not in case:
        text = json.dumps(fast)
        for secret in (TOKEN, 'pw-Secret', '0000000042', 'a"b\\c', 'tök-Sëcret'):
            assert secret not in text and json.dumps(secret)[1:-1] not in text


def test_the_token_in_an_annotation_is_masked(capsys, monkeypatch):
    args, result = CASES['the token inside an annotation of the result']
    out = printed(capsys, monkeypatch, args, result, fast=True)
    assert out['events'][1]['annotations']['note'] == 'token ******** here'
    assert out['events'][0] == event(1)
    assert out['invocation']['module_args']['auth_token'] == MASK
    out = printed(capsys, monkeypatch, *CASES['the token as a whole annotation of an input event'], fast=True)
    assert out['invocation']['module_args']['events'][1]['annotations']['note'] == MASK


@pytest.mark.skipif(not _module._HAS_RESULT_HOOK, reason='ansible-core before 2.19: the full scan only')
def test_clean_parts_skip_the_scan_and_come_back_whole(capsys, monkeypatch):
    scanned = []
    real = _module.AnsibleModule._return_formatted

    def spy(self, kwargs):
        scanned.append(json.loads(json.dumps(kwargs)))
        return real(self, kwargs)

    monkeypatch.setattr(_module.AnsibleModule, '_return_formatted', spy)
    args, result = CASES['clean events in and out']
    out = printed(capsys, monkeypatch, args, result, fast=True)
    assert scanned[0]['events'] is None and scanned[0]['invocation']['module_args']['events'] is None
    assert scanned[0]['invocation']['module_args']['auth_token'] == TOKEN  # still scanned, so masked
    assert out['events'] == result['events'] and out['invocation']['module_args']['events'] == args['events']
    assert out['invocation']['module_args']['auth_token'] == MASK


def test_values_that_are_not_plain_json_stay_in_the_scan(capsys, monkeypatch):
    result = dict(changed=False, found={'when': {1, 2}}, raw=[b'bytes', float('nan')])
    fast = printed(capsys, monkeypatch, {}, result, fast=True, plain=False)
    full = printed(capsys, monkeypatch, {}, result, fast=False, plain=False)
    assert json.dumps(fast, sort_keys=True) == json.dumps(full, sort_keys=True)
