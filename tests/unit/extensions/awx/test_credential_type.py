# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""extensions/awx/credential_type_huaweicloud_aom.yml is a credential type AWX takes, and injects
only variables the collection reads (modules, callback, event source), with every secret marked secret.

AWX's rules are those of awx/main/fields.py (CredentialTypeInputField, CredentialTypeInjectorField)
and of its credential type serializer: only 'cloud' and 'net' kinds for custom types, and no
injected variable named ANSIBLE_* (refused when the type is saved, and skipped when a job runs)
nor in its ENV_BLOCKLIST."""

from __future__ import annotations

import os
import re

import pytest
import yaml
from ansible.module_utils.basic import env_fallback
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.huaweicloud.aom.plugins.callback import aom_alarm
from ansible_collections.huaweicloud.aom.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import (
    CONNECTION_OPTIONS, SECRET_OPTIONS, connection_argument_spec, resolve_connection)

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
CREDENTIAL_TYPE = os.path.join(COLLECTION, 'extensions', 'awx', 'credential_type_huaweicloud_aom.yml')
# environment name -> connection option, as the collection reads them
OPTION_OF_ENV = {env: name for name, option in CONNECTION_OPTIONS.items() for env in option['env']}
# what AWX's credential type serializer accepts (awx/main/fields.py CredentialInputField schema)
FIELD_KEYS = {'id', 'label', 'type', 'secret', 'help_text', 'default', 'multiline', 'format', 'choices', 'ask_at_runtime'}
# kinds a custom (not managed) credential type may have (CredentialTypeSerializer.validate)
AWX_CUSTOM_KINDS = {'net', 'cloud'}
# awx/main/constants.py ENV_BLOCKLIST: variables AWX never lets a credential inject
AWX_ENV_BLOCKLIST = {'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID',
                     'INVENTORY_UPDATE_ID', 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES',
                     'CALLBACK_QUEUE', 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS',
                     'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH'}
ENV_NAME = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')


@pytest.fixture(scope='module')
def credential_type():
    with open(CREDENTIAL_TYPE, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def render(credential_type, inputs):
    """The environment AWX injects for a credential with these inputs (empty fields as '')."""
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    values = {field['id']: inputs.get(field['id'], '') for field in credential_type['inputs']['fields']}
    return {name: environment.from_string(template).render(**values)
            for name, template in credential_type['injectors']['env'].items()}


def test_shape(credential_type):
    assert set(credential_type) == {'name', 'description', 'kind', 'inputs', 'injectors'}
    assert credential_type['kind'] in AWX_CUSTOM_KINDS
    assert set(credential_type['inputs']) == {'fields', 'required'}
    assert set(credential_type['injectors']) == {'env'}
    ids = [field['id'] for field in credential_type['inputs']['fields']]
    assert len(ids) == len(set(ids))
    assert set(credential_type['inputs']['required']) <= set(ids)
    for field in credential_type['inputs']['fields']:
        assert set(field) <= FIELD_KEYS, field
        assert field['type'] in ('string', 'boolean'), field
        assert field['label'], field
        assert ENV_NAME.match(field['id']) and field['id'] != 'tower', field
        if 'default' in field:
            assert isinstance(field['default'], {'string': str, 'boolean': bool}[field['type']]), field
        if field['type'] != 'string':
            assert not set(field) & {'choices', 'multiline', 'format', 'secret'}, field


def test_awx_accepts_the_injectors(credential_type):
    """What CredentialTypeInjectorField.validate checks: names, ASCII values, no ANSIBLE_*, no blocked
    name, and templates that render with every input field defined (StrictUndefined, sandboxed)."""
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    namespace = {field['id']: 'EXAMPLE' for field in credential_type['inputs']['fields']}
    for name, template in credential_type['injectors']['env'].items():
        assert ENV_NAME.match(name) and template.isascii(), name
        assert not name.startswith('ANSIBLE_'), '%s: AWX refuses ANSIBLE_* variables in credential types' % name
        assert name not in AWX_ENV_BLOCKLIST, name
        environment.from_string(template).render(namespace)


def test_injects_only_what_the_collection_reads(credential_type):
    injected = set(credential_type['injectors']['env'])
    unknown = injected - set(OPTION_OF_ENV)
    assert not unknown, 'the collection reads none of %s' % sorted(unknown)
    assert injected >= {'HW_ACCESS_KEY', 'HW_SECRET_KEY', 'HW_SECURITY_TOKEN', 'HW_PROJECT_ID', 'HW_REGION_NAME',
                        'HW_AOM_ENDPOINT'}
    # each variable gets the first name the collection looks at, so no other one can shadow it
    for env in injected:
        assert CONNECTION_OPTIONS[OPTION_OF_ENV[env]]['env'][0] == env


def test_the_callback_reads_each_injected_variable(credential_type):
    """The callback's connection options (the plugins' part of the connection doc fragment, which
    ansible-core reads) take each injected variable over any other name of the option: ansible-core
    takes the last set entry of an option's env list. AWX jobs configure the callback this way."""
    documentation = yaml.safe_load(aom_alarm.DOCUMENTATION)
    assert 'huaweicloud.aom.connection.plugins' in documentation['extends_documentation_fragment']
    options = yaml.safe_load(ModuleDocFragment.PLUGINS)['options']
    for env in credential_type['injectors']['env']:
        names = [entry['name'] for entry in options[OPTION_OF_ENV[env]]['env']]
        assert names[-1] == env, (env, names)


def test_the_modules_read_each_injected_variable(credential_type):
    """The modules' argument spec falls back to the injected variable first (env_fallback)."""
    spec = connection_argument_spec()
    for env in credential_type['injectors']['env']:
        fallback, names = spec[OPTION_OF_ENV[env]]['fallback']
        assert fallback is env_fallback and names[0] == env


def test_secrets_are_secret_fields(credential_type):
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    for env, template in credential_type['injectors']['env'].items():
        if OPTION_OF_ENV.get(env) in SECRET_OPTIONS:
            [field_id] = [name for name in fields if '{{ %s }}' % name in template]
            assert fields[field_id].get('secret') is True, '%s (injected as %s) must be secret: true' % (field_id, env)


@pytest.mark.parametrize('inputs, expected', [
    (dict(region='cn-north-4'),
     dict(endpoint='https://aom.cn-north-4.myhuaweicloud.com', security_token=None)),
    (dict(endpoint='https://aom.internal.example', security_token='temporary-token'),
     dict(endpoint='https://aom.internal.example', security_token='temporary-token')),
])
def test_injected_environment_resolves(credential_type, inputs, expected):
    """What the credential injects, empty optional fields included, is a connection the collection takes."""
    inputs = dict(access_key='AKEXAMPLE', secret_key='SKEXAMPLE', project_id='0123456789abcdef0123456789abcdef',
                  **inputs)
    env = render(credential_type, inputs)

    def get_option(name):
        # env_fallback: the first of the option's variables that is set, even when empty
        return next((env[var] for var in CONNECTION_OPTIONS[name]['env'] if var in env), None)

    conn = resolve_connection(get_option)
    assert conn.auth == 'aksk'
    assert conn.access_key == 'AKEXAMPLE' and conn.secret_key == 'SKEXAMPLE'
    assert conn.project_id == '0123456789abcdef0123456789abcdef'
    assert conn.endpoint == expected['endpoint']
    assert conn.security_token == expected['security_token']
