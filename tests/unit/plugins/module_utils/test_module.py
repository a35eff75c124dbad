# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module base: connection options merged, libraries checked, lazy client, AOMError -> fail_json."""

from __future__ import annotations

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.huaweicloud.aom.plugins.module_utils import _module, _requirements
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError, AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import CONNECTION_OPTIONS

from ansible_collections.huaweicloud.aom.tests.unit.plugins.modules.module_harness import ModuleExit, catch_module_exits

PROJECT = '0123456789abcdef0123456789abcdef'
CONNECTION = dict(endpoint='http://127.0.0.1:9', allow_http=True, project_id=PROJECT, auth_token='tok')


def make_module(args, **kwargs):
    with patch_module_args(args):
        return _module.AOMModule(argument_spec=dict(name=dict(type='str')), **kwargs)


def test_connection_options_are_merged_into_the_spec(monkeypatch):
    catch_module_exits(monkeypatch)
    module = make_module(dict(CONNECTION, name='x'))
    assert set(CONNECTION_OPTIONS) <= set(module.argument_spec)
    assert module.params['name'] == 'x' and module.params['project_id'] == PROJECT


def test_a_missing_library_fails_before_anything_else(monkeypatch):
    catch_module_exits(monkeypatch)
    monkeypatch.setitem(_requirements.IMPORT_ERRORS, 'voluptuous', ImportError('No module named voluptuous'))
    with pytest.raises(ModuleExit) as exit_info:
        make_module(dict(CONNECTION))
    assert exit_info.value.failed and 'voluptuous' in exit_info.value.result['msg']
    # a module that does not need it is not stopped
    make_module(dict(CONNECTION), required_libraries=('requests',))


def test_client_is_built_once_on_first_use(monkeypatch, fake_aom):
    catch_module_exits(monkeypatch)
    monkeypatch.setattr(_module, 'AOMClient', fake_aom)
    module = make_module(dict(CONNECTION))
    assert not fake_aom.clients
    assert module.client is module.client
    assert len(fake_aom.clients) == 1 and fake_aom.clients[0].conn.project_id == PROJECT


def test_run_exits_with_the_work_result(monkeypatch):
    catch_module_exits(monkeypatch)
    module = make_module(dict(CONNECTION))
    with pytest.raises(ModuleExit) as exit_info:
        module.run(lambda: dict(changed=True, answer=42))
    assert not exit_info.value.failed and exit_info.value.result['answer'] == 42


@pytest.mark.parametrize('error, details', [
    (AOMError('AOM push failed: HTTP 403', status=403, error_code='AOM.30001005', request_id='r-1'),
     dict(status=403, error_code='AOM.30001005', request_id='r-1')),
    (AOMValidationError('events[2].timeout: is not allowed', path='events[2].timeout'),
     dict(path='events[2].timeout')),
])
def test_run_maps_aom_errors_to_one_failure(monkeypatch, error, details):
    catch_module_exits(monkeypatch)
    module = make_module(dict(CONNECTION))

    def work():
        raise error

    with pytest.raises(ModuleExit) as exit_info:
        module.run(work)
    assert exit_info.value.failed and exit_info.value.result['msg'] == str(error)
    for key, value in details.items():
        assert exit_info.value.result[key] == value


def test_bad_connection_options_fail_naming_the_option(monkeypatch):
    catch_module_exits(monkeypatch)
    module = make_module(dict(CONNECTION, project_id='not-hex'))
    with pytest.raises(ModuleExit) as exit_info:
        module.run(lambda: dict(changed=False, client=str(module.client)))
    assert exit_info.value.failed and 'project_id' in exit_info.value.result['msg']
