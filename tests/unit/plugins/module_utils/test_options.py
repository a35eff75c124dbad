# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import (
    CONNECTION_OPTIONS, SECRET_OPTIONS, Connection, connection_argument_spec, resolve_connection, strict_bool, strict_choice)

PROJECT = '0123456789abcdef0123456789abcdef'
AKSK = {'access_key': 'AK', 'secret_key': 'SECRET-SK', 'project_id': PROJECT}


def resolve(**options):
    return resolve_connection(options.get)


def config_error(**options):
    with pytest.raises(AOMConfigError) as caught:
        resolve(**options)
    return str(caught.value)


def test_endpoints_from_region_and_cloud():
    conn = resolve(region='cn-north-4', **AKSK)
    assert conn.endpoint == 'https://aom.cn-north-4.myhuaweicloud.com'
    assert conn.identity_endpoint == 'https://iam.cn-north-4.myhuaweicloud.com'
    conn = resolve(region='eu-west-101', cloud='myhuaweicloud.eu', **AKSK)
    assert conn.endpoint == 'https://aom.eu-west-101.myhuaweicloud.eu'


def test_explicit_endpoints_win_and_v3_suffix_is_stripped():
    conn = resolve(region='cn-north-4', endpoint='https://aom.private.example/', identity_endpoint='https://iam.private.example/v3',
                   **AKSK)
    assert conn.endpoint == 'https://aom.private.example'
    assert conn.identity_endpoint == 'https://iam.private.example'


def test_defaults_applied():
    conn = resolve(region='cn-north-4', **AKSK)
    assert conn.timeout == 10.0 and conn.retries == 3 and conn.verify is True


def test_auth_preference_aksk_then_token_then_password():
    everything = dict(AKSK, auth_token='tok-s3cr3t', user='u', password='s3cr3t-pw', domain='d', region='r1')
    assert resolve(**everything).auth == 'aksk'
    del everything['access_key'], everything['secret_key']
    assert resolve(**everything).auth == 'token'
    del everything['auth_token']
    assert resolve(**everything).auth == 'password'


def test_password_auth_may_use_project_name():
    conn = resolve(region='r1', user='u', password='s3cr3t-pw', domain='d', project_name='cn-north-4')
    assert conn.auth == 'password' and conn.project_id is None and conn.project_name == 'cn-north-4'


@pytest.mark.parametrize('options, words', [
    ({'region': 'r1'}, ['no credentials', 'access_key', 'auth_token', 'user, password and domain']),
    ({'region': 'r1', 'access_key': 'AK', 'project_id': PROJECT}, ['secret_key (HW_SECRET_KEY) is missing']),
    ({'region': 'r1', 'secret_key': 'SECRET-SK', 'project_id': PROJECT}, ['access_key (HW_ACCESS_KEY) is missing']),
    ({'region': 'r1', 'access_key': 'AK', 'secret_key': 'SECRET-SK'}, ['project_id (HW_PROJECT_ID) is required']),
    ({'region': 'r1', 'auth_token': 'tok-s3cr3t'}, ['project_id', 'auth_token']),
    ({'region': 'r1', 'user': 'u'}, ['missing: password, domain, project_name or project_id']),
    ({'access_key': 'AK', 'secret_key': 'SECRET-SK', 'project_id': PROJECT}, ['no AOM endpoint', 'region']),
    (dict(AKSK, endpoint='http://127.0.0.1:9'), ['plain http://', 'allow_http']),
    (dict(AKSK, endpoint='https://admin:hunter2@aom.example'), ['must not contain credentials']),
    (dict(AKSK, endpoint='ftp://aom.example'), ['endpoint must be an https:// URL']),
    (dict(AKSK, endpoint='https://aom.example/?token=x'), ['query string']),
    (dict(AKSK, region='cn north'), ['region must look like']),
    (dict(AKSK, region='r1', project_id='../x'), ['project_id must be the 32-character hexadecimal']),
    (dict(AKSK, region='r1', project_id='0123456789abcdef0123456789abcdeg'), ['project_id must be']),
    (dict(AKSK, region='r1', enterprise_project_id='a/b'), ['enterprise_project_id']),
    (dict(AKSK, region='r1', request_timeout=0), ['request_timeout must be more than 0']),
    (dict(AKSK, region='r1', request_timeout='soon'), ['request_timeout must be of type float']),
    (dict(AKSK, region='r1', retries=-1), ['retries must be between 0 and 10']),
    (dict(AKSK, region='r1', retries=11), ['retries must be between 0 and 10']),
    (dict(AKSK, region='r1', validate_certs='maybe'), ["validate_certs: 'maybe' is not a boolean", 'true/false']),
    (dict(AKSK, region='r1', validate_certs='ture'), ["validate_certs: 'ture' is not a boolean", 'true/false']),
    (dict(AKSK, region='r1', allow_http='2'), ["allow_http: '2' is not a boolean", 'yes/no']),
    (dict(AKSK, region='r1', ca_path='/nonexistent/ca.pem'), ['ca_path /nonexistent/ca.pem does not exist']),
])
def test_config_errors_name_the_option(options, words):
    message = config_error(**options)
    for word in words:
        assert word in message
    for secret in ('SECRET-SK', 'hunter2', 's3cr3t-pw', 'tok-s3cr3t'):
        assert secret not in message


def test_http_allowed_with_opt_in_and_strings_typed():
    conn = resolve(endpoint='http://127.0.0.1:9', allow_http='true', retries='0', request_timeout='2.5',
                   validate_certs='no', **AKSK)
    assert conn.endpoint == 'http://127.0.0.1:9'
    assert (conn.retries, conn.timeout, conn.verify) == (0, 2.5, False)


def test_ca_path_used_for_verification(tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('x')
    assert resolve(region='r1', ca_path=str(ca), **AKSK).verify == str(ca)


def test_argument_spec_has_env_fallbacks_and_no_log():
    spec = connection_argument_spec()
    assert set(spec) == set(CONNECTION_OPTIONS)
    assert spec['access_key']['fallback'][1] == ['HW_ACCESS_KEY', 'HUAWEICLOUD_SDK_AK']
    assert spec['endpoint']['fallback'][1] == ['HW_AOM_ENDPOINT']
    assert {name for name, entry in spec.items() if entry.get('no_log')} == set(SECRET_OPTIONS)
    assert set(SECRET_OPTIONS) == {'secret_key', 'security_token', 'auth_token', 'password'}
    assert all('default' not in entry for entry in spec.values())


def test_module_env_fallback_resolves(monkeypatch):
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    monkeypatch.setenv('HUAWEICLOUD_SDK_AK', 'sdk-ak')
    monkeypatch.setenv('HW_SECRET_KEY', 'SECRET-SK')
    monkeypatch.setenv('HW_PROJECT_ID', PROJECT)
    monkeypatch.setenv('HW_REGION_NAME', 'cn-north-4')
    monkeypatch.setenv('HW_AOM_RETRIES', '5')
    result = ArgumentSpecValidator(connection_argument_spec()).validate({})
    assert result.error_messages == []
    conn = resolve_connection(result.validated_parameters.get)
    assert (conn.access_key, conn.retries, conn.auth) == ('sdk-ak', 5, 'aksk')
    assert 'SECRET-SK' in result._no_log_values


BOOLEAN_SPELLINGS = ['true', 'True', ' yes ', 'on', '1', 'y', 't', 'false', 'No', 'OFF', '0', 'n', 'f',
                     'ture', 'maybe', 'yess', '2', 'enabled', 1, 0, 2, True, False, 1.0, 0.5]


@pytest.mark.parametrize('value', BOOLEAN_SPELLINGS)
def test_plugins_read_booleans_by_the_rule_modules_use(value):
    from ansible.module_utils.common.validation import check_type_bool
    try:
        module_reads = check_type_bool(value)
    except TypeError:
        module_reads = 'refused'
    try:
        plugin_reads = strict_bool('validate_certs', value)
    except AOMConfigError as exc:
        plugin_reads = 'refused'
        assert str(exc).startswith('validate_certs: ') and 'allowed values: true/false' in str(exc)
    assert plugin_reads == module_reads


def test_unset_or_empty_boolean_and_choice_are_none():
    assert strict_bool('x', None) is None and strict_bool('x', '') is None and strict_bool('x', '  ') is None
    assert strict_choice('x', None, ('A', 'B')) is None and strict_choice('x', '', ('A', 'B')) is None


@pytest.mark.parametrize('value', ['major', 'Majro', ' Major', 1, 'M' * 100])
def test_a_choice_must_be_spelled_exactly(value):
    assert strict_choice('failed_severity', 'Major', ('Critical', 'Major')) == 'Major'
    with pytest.raises(AOMConfigError) as caught:
        strict_choice('failed_severity', value, ('Critical', 'Major'))
    message = str(caught.value)
    assert message.startswith('failed_severity: ') and message.endswith('allowed values: Critical, Major')
    assert len(message) < 120


# -- credentials that HTTP cannot carry ---------------------------------------------------------

TOKEN_AUTH = dict(region='r1', project_id=PROJECT)
PASSWORD_AUTH = dict(region='r1', project_id=PROJECT, user='u', domain='d')


@pytest.mark.parametrize('options, option', [
    (dict(TOKEN_AUTH, auth_token='tok-s3cr3t\nX-Injected: 1'), 'auth_token (HW_AUTH_TOKEN)'),
    (dict(TOKEN_AUTH, auth_token='tok-s3cr3t\n'), 'auth_token (HW_AUTH_TOKEN)'),
    (dict(TOKEN_AUTH, auth_token='tok-s3cr3t\r'), 'auth_token (HW_AUTH_TOKEN)'),
    (dict(TOKEN_AUTH, auth_token='tok-s3cr3t\x00'), 'auth_token (HW_AUTH_TOKEN)'),
    (dict(AKSK, region='r1', secret_key='SECRET-SK\n'), 'secret_key (HW_SECRET_KEY, HUAWEICLOUD_SDK_SK)'),
    (dict(AKSK, region='r1', security_token='tok-s3cr3t\nx'), 'security_token (HW_SECURITY_TOKEN'),
    (dict(AKSK, region='r1', access_key='A\r\nK'), 'access_key (HW_ACCESS_KEY'),
    (dict(PASSWORD_AUTH, password='s3cr3t-pw\n'), 'password (HW_USER_PASSWORD)'),
])
def test_credentials_with_control_characters_are_refused_naming_the_option_only(options, option):
    message = config_error(**options)
    assert message.startswith(option) and ' contains a line break, NUL or another control character' in message
    assert 'the value is not shown' in message
    for secret in ('SECRET-SK', 's3cr3t-pw', 'tok-s3cr3t', 'X-Injected'):
        assert secret not in message


@pytest.mark.parametrize('options, option', [
    (dict(TOKEN_AUTH, auth_token='tok-s3cr3t-\u20ac'), 'auth_token (HW_AUTH_TOKEN)'),
    (dict(AKSK, region='r1', security_token='tok-s3cr3t-\u4e2d'), 'security_token (HW_SECURITY_TOKEN'),
])
def test_header_credentials_outside_latin1_are_refused(options, option):
    # before: UnicodeEncodeError ('latin-1' codec can't encode...) from http.client, a crash
    message = config_error(**options)
    assert message.startswith(option) and ' contains a character outside Latin-1' in message
    assert 'tok-s3cr3t' not in message and '\u20ac' not in message


def test_header_credentials_with_surrounding_spaces_are_refused():
    message = config_error(**dict(TOKEN_AUTH, auth_token=' tok-s3cr3t'))
    assert message.startswith('auth_token (HW_AUTH_TOKEN) starts or ends with a space')
    assert 'tok-s3cr3t' not in message


def test_secrets_are_used_exactly_as_given():
    # before: every secret was .strip()ped, sending another value than the one given
    spaced = dict(AKSK, region='r1')
    spaced['secret_key'] = ' SECRET-SK '
    assert resolve(**spaced).secret_key == ' SECRET-SK '
    assert resolve(**dict(PASSWORD_AUTH, password=' s3cr3t-pw \u00e9\u4e2d')).password == ' s3cr3t-pw \u00e9\u4e2d'


def test_unused_credentials_are_not_checked():
    # a stray password in the environment does not break AK/SK authentication
    assert resolve(**dict(AKSK, region='r1', password='pw\n')).auth == 'aksk'


def test_the_connection_is_frozen_typed_and_shows_no_secret():
    conn = resolve(**dict(AKSK, region='cn-north-4', security_token='TOKEN-s3cr3t'))
    assert isinstance(conn, Connection)
    with pytest.raises(dataclasses.FrozenInstanceError):
        conn.endpoint = 'https://elsewhere.example'
    assert conn.secrets == ('SECRET-SK', 'TOKEN-s3cr3t')
    assert conn.project == PROJECT
    shown = repr(conn)
    assert 'SECRET-SK' not in shown and 'TOKEN-s3cr3t' not in shown and "access_key='AK'" in shown
    # only the chosen authentication's credentials are kept
    token = resolve(region='r1', auth_token='tok-s3cr3t', access_key=None, project_id=PROJECT, user='u')
    assert (token.auth, token.user, token.access_key, token.secrets) == ('token', None, None, ('tok-s3cr3t',))
