# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one connection option spec, and its resolution into a checked ``Connection``.

Modules read options through ``module.params``, the callback through ``get_option``, the EDA
source from its arguments and the environment; each hands a getter to ``resolve_connection``
so that defaults, environment fallbacks for modules, and every check live here once. The
result is a frozen ``Connection``: the client, the callback and the source read its typed
attributes and never see an option that was not checked.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Set, Tuple, Union
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError

DEFAULT_CLOUD = 'myhuaweicloud.com'
DEFAULT_REQUEST_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
MAX_RETRIES = 10
MAX_REQUEST_TIMEOUT = 300.0

# name -> type, environment variables (first set wins), whether it is a secret, default.
# The defaults are applied by resolve_connection, not by the argument spec, because an
# argument spec default would win over the environment fallback.
CONNECTION_OPTIONS: Dict[str, Dict[str, Any]] = {
    'region': dict(type='str', env=['HW_REGION_NAME']),
    'cloud': dict(type='str', env=['HW_CLOUD'], default=DEFAULT_CLOUD),
    'endpoint': dict(type='str', env=['HW_AOM_ENDPOINT']),
    'identity_endpoint': dict(type='str', env=['HW_AUTH_URL', 'HUAWEICLOUD_SDK_IAM_ENDPOINT']),
    'project_id': dict(type='str', env=['HW_PROJECT_ID', 'HUAWEICLOUD_SDK_PROJECT_ID']),
    'project_name': dict(type='str', env=['HW_PROJECT_NAME']),
    'enterprise_project_id': dict(type='str', env=['HW_ENTERPRISE_PROJECT_ID']),
    'access_key': dict(type='str', env=['HW_ACCESS_KEY', 'HUAWEICLOUD_SDK_AK']),
    'secret_key': dict(type='str', env=['HW_SECRET_KEY', 'HUAWEICLOUD_SDK_SK'], no_log=True),
    'security_token': dict(type='str', env=['HW_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'], no_log=True),
    'auth_token': dict(type='str', env=['HW_AUTH_TOKEN'], no_log=True),
    'user': dict(type='str', env=['HW_USER_NAME']),
    'password': dict(type='str', env=['HW_USER_PASSWORD'], no_log=True),
    'domain': dict(type='str', env=['HW_DOMAIN_NAME']),
    'validate_certs': dict(type='bool', env=['HW_AOM_VALIDATE_CERTS'], default=True),
    'ca_path': dict(type='path', env=['HW_AOM_CA_PATH']),
    'request_timeout': dict(type='float', env=['HW_AOM_REQUEST_TIMEOUT'], default=DEFAULT_REQUEST_TIMEOUT),
    'retries': dict(type='int', env=['HW_AOM_RETRIES'], default=DEFAULT_RETRIES),
    'allow_http': dict(type='bool', env=['HW_AOM_ALLOW_HTTP'], default=False),
}

SECRET_OPTIONS = tuple(name for name, spec in CONNECTION_OPTIONS.items() if spec.get('no_log'))
# Credentials sent as HTTP header values (Authorization, X-Auth-Token, X-Security-Token): HTTP
# carries Latin-1 there, and strips the spaces around a value.
HEADER_CREDENTIALS = ('access_key', 'security_token', 'auth_token')
# Every credential, checked before anything is sent.
CREDENTIAL_OPTIONS = ('access_key', 'secret_key', 'security_token', 'auth_token', 'password')

_REGION_RE = re.compile(r'^[a-z0-9]+(-[a-z0-9]+)*$')
_PROJECT_ID_RE = re.compile(r'^[0-9a-fA-F]{32}$')
_ENTERPRISE_PROJECT_RE = re.compile(r'^[A-Za-z0-9_-]{1,64}$')
_HOST_SUFFIX_RE = re.compile(r'^[A-Za-z0-9.-]+$')
# The spellings AnsibleModule accepts for type='bool' (ansible's strict boolean); plugins get the same.
BOOLEAN_VALUES = 'true/false, yes/no, on/off, y/n, t/f, 1/0'
# C0 controls (newline, carriage return, NUL...), DEL and C1 controls: no credential holds one.
_CREDENTIAL_CONTROL_RE = re.compile('[\x00-\x1f\x7f-\x9f]')


# How the connection authenticates: AK/SK signing, a ready token, or IAM user/password.
AUTH_AKSK = 'aksk'
AUTH_TOKEN = 'token'
AUTH_PASSWORD = 'password'

OptionGetter = Callable[[str], Any]


@dataclass(frozen=True)
class Connection:
    """A checked connection: where to send requests and how to authenticate them.

    Built only by ``resolve_connection``. The credentials of the authentication not chosen are
    None (they are never sent); the secrets are left out of ``repr`` so that a log of the object
    shows none of them.
    """

    endpoint: str
    identity_endpoint: str
    auth: str
    project_id: Optional[str] = None
    project_name: Optional[str] = None
    enterprise_project_id: Optional[str] = None
    verify: Union[bool, str] = True  # False, True or the path of a CA bundle, as requests takes it
    timeout: float = DEFAULT_REQUEST_TIMEOUT
    retries: int = DEFAULT_RETRIES
    access_key: Optional[str] = None
    secret_key: Optional[str] = field(default=None, repr=False)
    security_token: Optional[str] = field(default=None, repr=False)
    auth_token: Optional[str] = field(default=None, repr=False)
    user: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    domain: Optional[str] = None

    @property
    def secrets(self) -> Tuple[str, ...]:
        """The secret values set (SECRET_OPTIONS), which no log, error or event may show."""
        return tuple(value for value in (getattr(self, name) for name in SECRET_OPTIONS) if value)

    @property
    def project(self) -> Optional[str]:
        """The project ID, else the project name the IAM token is scoped to."""
        return self.project_id or self.project_name


def connection_argument_spec() -> Dict[str, Dict[str, Any]]:
    """AnsibleModule argument_spec entries for the connection options, with env fallbacks."""
    spec = {}
    for name, option in CONNECTION_OPTIONS.items():
        # no_log is explicit on every option: access_key is an identifier, not a secret.
        spec[name] = dict(type=option['type'], fallback=(env_fallback, list(option['env'])),
                          no_log=bool(option.get('no_log')))
    return spec


def resolve_connection(get_option: OptionGetter) -> Connection:
    """The checked ``Connection`` from ``get_option(name)``; raises AOMConfigError naming the options."""
    values = {name: _typed(name, get_option(name)) for name in CONNECTION_OPTIONS}
    for name, option in CONNECTION_OPTIONS.items():
        if values[name] is None and 'default' in option:
            values[name] = option['default']

    cloud = _check_cloud(values['cloud'])
    region = _check_region(values['region'])
    allow_http = values['allow_http']
    if values['endpoint']:
        endpoint = _check_url('endpoint', values['endpoint'], allow_http)
    elif region:
        endpoint = 'https://aom.%s.%s' % (region, cloud)
    else:
        raise AOMConfigError('no AOM endpoint: set region (HW_REGION_NAME) or endpoint (HW_AOM_ENDPOINT)')

    if values['identity_endpoint']:
        identity_endpoint = _check_url('identity_endpoint', values['identity_endpoint'], allow_http)
        if identity_endpoint.endswith('/v3'):
            identity_endpoint = identity_endpoint[:-3]
    elif region:
        identity_endpoint = 'https://iam.%s.%s' % (region, cloud)
    else:
        identity_endpoint = 'https://iam.%s' % cloud

    conn: Dict[str, Any] = dict(
        endpoint=endpoint,
        identity_endpoint=identity_endpoint,
        project_id=_check_project_id(values['project_id']),
        project_name=values['project_name'] or None,
        enterprise_project_id=_check_enterprise_project(values['enterprise_project_id']),
        verify=_check_verify(values['validate_certs'], values['ca_path']),
        timeout=_check_timeout(values['request_timeout']),
        retries=_check_retries(values['retries']),
    )
    auth = _choose_auth(values, conn)
    for name in CREDENTIAL_OPTIONS:  # those of the chosen authentication: the others are never sent
        _check_credential(name, auth.get(name))
    conn.update(auth)
    return Connection(**conn)


def _typed(name: str, value: Any) -> Any:
    """Values from plugin config or the environment may arrive as strings: give them their type."""
    if value is None or value == '':
        return None
    kind = CONNECTION_OPTIONS[name]['type']
    if kind == 'bool':
        return strict_bool(name, value)
    try:
        if kind == 'int':
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind == 'float':
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
    except (TypeError, ValueError):
        raise AOMConfigError('%s must be of type %s' % (name, kind))
    if kind == 'path':
        return os.path.expanduser(str(value))
    if name in SECRET_OPTIONS:
        return str(value)  # a secret is used exactly as given, never stripped
    return str(value).strip()


def strict_bool(name: str, value: Any) -> Optional[bool]:
    """``value`` of the option ``name`` as a bool, by the modules' rule; None when unset or empty.

    ansible-core reads plugin options of type bool leniently (any unknown word is false, so
    ``validate_certs = ture`` would turn TLS verification off): plugins declare their booleans as
    text and parse them here, like AnsibleModule does for modules. Raises AOMConfigError naming
    the option and the allowed values.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AOMConfigError('%s: %s is not a boolean; allowed values: %s' % (name, _shown(value), BOOLEAN_VALUES))


def strict_choice(name: str, value: Any, choices: Tuple[str, ...]) -> Optional[str]:
    """``value`` of the option ``name`` when it is exactly one of ``choices``; None when unset or empty."""
    if value is None or value == '':
        return None
    if isinstance(value, str) and value in choices:
        return value
    raise AOMConfigError('%s: %s is not one of the allowed values: %s' % (name, _shown(value), ', '.join(choices)))


def _shown(value: Any) -> str:
    """A short quoted form of a bad (never secret) option value, safe on one line."""
    if isinstance(value, str):
        return repr(value[:40] + ('...' if len(value) > 40 else ''))
    return 'a value of type %s' % type(value).__name__


def _check_credential(name: str, value: Optional[str]) -> None:
    """Refuse a credential that cannot be sent as it is; the message names the option, never the value."""
    if value is None:
        return
    where = '%s (%s)' % (name, ', '.join(CONNECTION_OPTIONS[name]['env']))
    if _CREDENTIAL_CONTROL_RE.search(value):
        raise AOMConfigError('%s contains a line break, NUL or another control character, which no credential holds '
                             '(a trailing newline often comes from a file: remove it, e.g. with | trim); '
                             'the value is not shown' % where)
    if name not in HEADER_CREDENTIALS:
        return
    try:
        value.encode('latin-1')
    except UnicodeEncodeError:
        raise AOMConfigError('%s contains a character outside Latin-1, which an HTTP header cannot carry; '
                             'the value is not shown' % where)
    if value != value.strip():
        raise AOMConfigError('%s starts or ends with a space, which an HTTP header cannot carry; '
                             'the value is not shown' % where)


def _choose_auth(values: Dict[str, Any], conn: Dict[str, Any]) -> Dict[str, Any]:
    """AK/SK signing, else a ready token, else IAM user/password, in that order of preference."""
    access_key, secret_key = values['access_key'], values['secret_key']
    if access_key or secret_key:
        if not (access_key and secret_key):
            missing = 'secret_key (HW_SECRET_KEY)' if access_key else 'access_key (HW_ACCESS_KEY)'
            raise AOMConfigError('access_key and secret_key go together: %s is missing' % missing)
        _require_project_id(conn, 'access_key/secret_key')
        return dict(auth=AUTH_AKSK, access_key=access_key, secret_key=secret_key,
                    security_token=values['security_token'])
    if values['auth_token']:
        _require_project_id(conn, 'auth_token')
        return dict(auth=AUTH_TOKEN, auth_token=values['auth_token'])
    password_options = ('user', 'password', 'domain')
    given = [name for name in password_options if values[name]]
    if given:
        missing = [name for name in password_options if not values[name]]
        if not (conn['project_id'] or conn['project_name']):
            missing.append('project_name or project_id')
        if missing:
            raise AOMConfigError('IAM user/password authentication needs %s; missing: %s'
                                 % (', '.join(password_options + ('project_name or project_id',)), ', '.join(missing)))
        return dict(auth=AUTH_PASSWORD, user=values['user'], password=values['password'], domain=values['domain'])
    raise AOMConfigError(
        'no credentials: set access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY), '
        'or auth_token (HW_AUTH_TOKEN), or user, password and domain '
        '(HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)')


def _require_project_id(conn: Dict[str, Any], auth: str) -> None:
    if not conn['project_id']:
        raise AOMConfigError('project_id (HW_PROJECT_ID) is required with %s authentication' % auth)


def url_credentials(url: Any) -> Set[str]:
    """The user:password part of a URL, so that callers can hide it; empty when there is none."""
    if not isinstance(url, str) or '@' not in url:
        return set()
    userinfo = urlsplit(url.strip()).netloc.rpartition('@')[0]
    return {part for part in (userinfo, userinfo.partition(':')[2]) if part}


def _check_url(name: str, url: str, allow_http: bool) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ('https', 'http') or not parts.hostname:
        raise AOMConfigError('%s must be an https:// URL with a host, got a value without one' % name)
    if parts.username is not None or parts.password is not None:
        # Said without echoing the URL: it holds a credential.
        raise AOMConfigError('%s must not contain credentials (user:password@); use the authentication options' % name)
    if parts.scheme == 'http' and not allow_http:
        raise AOMConfigError('%s uses plain http://, which would send credentials unencrypted; '
                             'use https:// or set allow_http=true (HW_AOM_ALLOW_HTTP) for a local emulator' % name)
    if parts.query or parts.fragment:
        raise AOMConfigError('%s must not have a query string or fragment' % name)
    return ('%s://%s%s' % (parts.scheme, parts.netloc, parts.path)).rstrip('/')


def _check_region(region: Optional[str]) -> Optional[str]:
    if region and not _REGION_RE.match(region):
        raise AOMConfigError("region must look like 'cn-north-4' (lower-case letters, digits and dashes), got %r" % region)
    return region


def _check_cloud(cloud: Optional[str]) -> str:
    if not _HOST_SUFFIX_RE.match(cloud or ''):
        raise AOMConfigError("cloud must be a domain suffix such as 'myhuaweicloud.com', got %r" % cloud)
    return cloud


def _check_project_id(project_id: Optional[str]) -> Optional[str]:
    if project_id and not _PROJECT_ID_RE.match(project_id):
        raise AOMConfigError('project_id must be the 32-character hexadecimal project ID, got %r' % project_id[:80])
    return project_id.lower() if project_id else None


def _check_enterprise_project(value: Optional[str]) -> Optional[str]:
    if value and not _ENTERPRISE_PROJECT_RE.match(value):
        raise AOMConfigError("enterprise_project_id must be '0', 'all_granted_eps' or an enterprise project ID "
                             '(letters, digits, - and _), got %r' % value[:80])
    return value or None


def _check_verify(validate_certs: bool, ca_path: Optional[str]) -> Union[bool, str]:
    if not validate_certs:
        return False
    if ca_path:
        if not os.path.exists(ca_path):
            raise AOMConfigError('ca_path %s does not exist' % ca_path)
        return ca_path
    return True


def _check_timeout(timeout: float) -> float:
    if not 0 < timeout <= MAX_REQUEST_TIMEOUT:
        raise AOMConfigError('request_timeout must be more than 0 and at most %d seconds, got %s'
                             % (MAX_REQUEST_TIMEOUT, timeout))
    return timeout


def _check_retries(retries: int) -> int:
    if not 0 <= retries <= MAX_RETRIES:
        raise AOMConfigError('retries must be between 0 and %d, got %s' % (MAX_RETRIES, retries))
    return retries
