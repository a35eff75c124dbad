# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""extensions/awx/credential_type_huaweicloud_aom.yml is a credential type AWX takes, and injects
only variables the collection reads, with every secret marked secret."""

from __future__ import annotations

import os
import re

import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.huaweicloud.aom.plugins.module_utils._options import (
    CONNECTION_OPTIONS, SECRET_OPTIONS, resolve_connection)

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
CREDENTIAL_TYPE = os.path.join(COLLECTION, 'extensions', 'awx', 'credential_type_huaweicloud_aom.yml')
CALLBACK = 'huaweicloud.aom.aom_alarm'
# environment name -> connection option, as the collection reads them
OPTION_OF_ENV = {env: name for name, option in CONNECTION_OPTIONS.items() for env in option['env']}
# what AWX's credential type serializer accepts (awx/main/fields.py CredentialInputField schema)
FIELD_KEYS = {'id', 'label', 'type', 'secret', 'help_text', 'default', 'multiline', 'format', 'choices', 'ask_at_runtime'}
AWX_KINDS = {'ssh', 'vault', 'net', 'scm', 'cloud', 'token', 'insights', 'external', 'kubernetes', 'galaxy',
             'cryptography'}


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
    assert credential_type['kind'] == 'cloud' and credential_type['kind'] in AWX_KINDS
    assert set(credential_type['inputs']) == {'fields', 'required'}
    assert set(credential_type['injectors']) == {'env'}
    ids = [field['id'] for field in credential_type['inputs']['fields']]
    assert len(ids) == len(set(ids))
    assert set(credential_type['inputs']['required']) <= set(ids)
    for field in credential_type['inputs']['fields']:
        assert set(field) <= FIELD_KEYS, field
        assert field['type'] in ('string', 'boolean'), field
        assert field['label'], field
        assert re.match(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$', field['id']) and field['id'] != 'tower', field


def test_injects_only_what_the_collection_reads(credential_type):
    injected = set(credential_type['injectors']['env'])
    unknown = injected - set(OPTION_OF_ENV) - {'ANSIBLE_CALLBACKS_ENABLED'}
    assert not unknown, 'the collection reads none of %s' % sorted(unknown)
    assert injected >= {'HW_ACCESS_KEY', 'HW_SECRET_KEY', 'HW_SECURITY_TOKEN', 'HW_PROJECT_ID', 'HW_REGION_NAME',
                        'HW_AOM_ENDPOINT', 'ANSIBLE_CALLBACKS_ENABLED'}
    # each variable gets the first name the collection looks at, so no other one can shadow it
    for env in injected - {'ANSIBLE_CALLBACKS_ENABLED'}:
        assert CONNECTION_OPTIONS[OPTION_OF_ENV[env]]['env'][0] == env


def test_secrets_are_secret_fields(credential_type):
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    for env, template in credential_type['injectors']['env'].items():
        if OPTION_OF_ENV.get(env) in SECRET_OPTIONS:
            [field_id] = [name for name in fields if '{{ %s }}' % name in template]
            assert fields[field_id].get('secret') is True, '%s (injected as %s) must be secret: true' % (field_id, env)


def test_default_enables_the_callback(credential_type):
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    assert credential_type['injectors']['env']['ANSIBLE_CALLBACKS_ENABLED'] == '{{ callbacks_enabled }}'
    assert fields['callbacks_enabled']['default'] == CALLBACK


@pytest.mark.parametrize('inputs, expected', [
    (dict(region='cn-north-4'),
     dict(endpoint='https://aom.cn-north-4.myhuaweicloud.com', security_token=None)),
    (dict(endpoint='https://aom.internal.example', security_token='temporary-token'),
     dict(endpoint='https://aom.internal.example', security_token='temporary-token')),
])
def test_injected_environment_resolves(credential_type, inputs, expected):
    """What the credential injects, empty optional fields included, is a connection the collection takes."""
    inputs = dict(access_key='AKEXAMPLE', secret_key='SKEXAMPLE', project_id='0123456789abcdef0123456789abcdef',
                  callbacks_enabled=CALLBACK, **inputs)
    env = render(credential_type, inputs)
    assert env['ANSIBLE_CALLBACKS_ENABLED'] == CALLBACK

    def get_option(name):
        # env_fallback: the first of the option's variables that is set, even when empty
        return next((env[var] for var in CONNECTION_OPTIONS[name]['env'] if var in env), None)

    conn = resolve_connection(get_option)
    assert conn.auth == 'aksk'
    assert conn.access_key == 'AKEXAMPLE' and conn.secret_key == 'SKEXAMPLE'
    assert conn.project_id == '0123456789abcdef0123456789abcdef'
    assert conn.endpoint == expected['endpoint']
    assert conn.security_token == expected['security_token']
