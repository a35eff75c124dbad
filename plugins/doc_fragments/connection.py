# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The connection options, described once (plugins/module_utils/_options.py is the spec).
#
# DOCUMENTATION describes every option; modules extend it alone (they read the environment
# through argument_spec fallbacks, which the descriptions name). PLUGINS adds, for plugins that
# ansible-core configures (the callback), only how ansible-core finds each value: env and ini
# entries, and type str for the two booleans, which the collection parses strictly itself.
# A plugin extends both, PLUGINS first:
#
#   extends_documentation_fragment:
#     - huaweicloud.aom.connection.plugins
#     - huaweicloud.aom.connection
#
# ansible-core merges the fragments option by option, and on a key both define the fragment
# listed first wins (ansible/utils/plugin_docs.py, merge_fragment): listed first, PLUGINS's
# type str wins over DOCUMENTATION's type bool.
#
# ansible-core takes the LAST set entry of an env or ini list (ansible/config/manager.py,
# _loop_entries and the ini loop). So the env lists are the spec's in reverse: HW_* is last and
# wins over HUAWEICLOUD_SDK_*, as in the modules (env_fallback takes the first set). And the
# collection-wide section [huaweicloud_aom] comes before [callback_aom_alarm], the callback's
# own section, which wins when both set a key.
# tests/unit/plugins/doc_fragments/test_connection.py checks all this against the spec and
# against what ansible-doc shows.

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
options:
  region:
    description:
      - Huawei Cloud region, for example V(cn-north-4). Builds the default O(endpoint) and O(identity_endpoint).
      - Falls back to the E(HW_REGION_NAME) environment variable.
    type: str
  cloud:
    description:
      - Domain suffix of the cloud, used with O(region) to build the default endpoints.
      - Falls back to E(HW_CLOUD), then to V(myhuaweicloud.com). Use V(myhuaweicloud.eu) for the European site.
    type: str
  endpoint:
    description:
      - AOM endpoint URL. Defaults to C(https://aom.<region>.<cloud>).
      - Falls back to E(HW_AOM_ENDPOINT). Must not contain credentials.
    type: str
  identity_endpoint:
    description:
      - IAM endpoint URL, used only for O(user)/O(password) authentication. A trailing C(/v3) is accepted.
      - Defaults to C(https://iam.<region>.<cloud>). Falls back to E(HW_AUTH_URL), then E(HUAWEICLOUD_SDK_IAM_ENDPOINT).
    type: str
  project_id:
    description:
      - The 32-character hexadecimal project ID.
      - Required with O(access_key)/O(secret_key) or O(auth_token); with O(user)/O(password) it can be found from O(project_name).
      - Falls back to E(HW_PROJECT_ID), then E(HUAWEICLOUD_SDK_PROJECT_ID).
    type: str
  project_name:
    description:
      - Project name (usually the region name) to scope the IAM token to, when O(project_id) is not given.
      - Falls back to E(HW_PROJECT_NAME).
    type: str
  enterprise_project_id:
    description:
      - Enterprise project to act in. The service uses the default one (V(0)) when not set.
      - Falls back to E(HW_ENTERPRISE_PROJECT_ID).
    type: str
  access_key:
    description:
      - Access key ID (AK) for C(SDK-HMAC-SHA256) request signing, the preferred authentication.
      - Falls back to E(HW_ACCESS_KEY), then E(HUAWEICLOUD_SDK_AK).
    type: str
  secret_key:
    description:
      - Secret access key (SK) that goes with O(access_key).
      - Falls back to E(HW_SECRET_KEY), then E(HUAWEICLOUD_SDK_SK).
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials.
      - Falls back to E(HW_SECURITY_TOKEN), then E(HUAWEICLOUD_SDK_SECURITY_TOKEN).
    type: str
  auth_token:
    description:
      - A ready IAM token, sent as C(X-Auth-Token). Used when no AK/SK is given.
      - Falls back to E(HW_AUTH_TOKEN).
    type: str
  user:
    description:
      - IAM user name, exchanged with O(password) and O(domain) for a project-scoped token. Used when neither AK/SK nor O(auth_token) is given.
      - Falls back to E(HW_USER_NAME).
    type: str
  password:
    description:
      - Password of the IAM O(user).
      - Falls back to E(HW_USER_PASSWORD).
    type: str
  domain:
    description:
      - Account (domain) name of the IAM O(user).
      - Falls back to E(HW_DOMAIN_NAME).
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the endpoints. Defaults to V(true).
      - A boolean, read strictly (V(true)/V(false), V(yes)/V(no), V(on)/V(off), V(y)/V(n), V(t)/V(f), V(1)/V(0),
        any case). Any other value is refused (a plugin disables itself with one warning) rather than taken as
        false, which would turn verification off.
      - Falls back to E(HW_AOM_VALIDATE_CERTS).
    type: bool
  ca_path:
    description:
      - A CA bundle file to verify the endpoints' certificates with, for private clouds.
      - Falls back to E(HW_AOM_CA_PATH).
    type: path
  request_timeout:
    description:
      - Seconds to wait for a connection and for each answer. Defaults to V(10).
      - Falls back to E(HW_AOM_REQUEST_TIMEOUT).
    type: float
  retries:
    description:
      - How many times to retry a request that was throttled (429), met a server error (500, 502, 503, 504)
        or a connection error, with capped exponential backoff and jitter, honouring C(Retry-After).
      - Never retried on 400, 401 or 403. Defaults to V(3).
      - Falls back to E(HW_AOM_RETRIES).
    type: int
  allow_http:
    description:
      - Allow a plain C(http://) O(endpoint) or O(identity_endpoint), which sends credentials unencrypted. Only for a local emulator. Defaults to V(false).
      - A boolean, read strictly like O(validate_certs).
      - Falls back to E(HW_AOM_ALLOW_HTTP).
    type: bool
requirements:
  - requests
'''

    PLUGINS = r'''
options:
  region:
    env:
      - name: HW_REGION_NAME
    ini:
      - section: huaweicloud_aom
        key: region
      - section: callback_aom_alarm
        key: region
  cloud:
    env:
      - name: HW_CLOUD
    ini:
      - section: huaweicloud_aom
        key: cloud
      - section: callback_aom_alarm
        key: cloud
  endpoint:
    env:
      - name: HW_AOM_ENDPOINT
    ini:
      - section: huaweicloud_aom
        key: endpoint
      - section: callback_aom_alarm
        key: endpoint
  identity_endpoint:
    env:
      - name: HUAWEICLOUD_SDK_IAM_ENDPOINT
      - name: HW_AUTH_URL
    ini:
      - section: huaweicloud_aom
        key: identity_endpoint
      - section: callback_aom_alarm
        key: identity_endpoint
  project_id:
    env:
      - name: HUAWEICLOUD_SDK_PROJECT_ID
      - name: HW_PROJECT_ID
    ini:
      - section: huaweicloud_aom
        key: project_id
      - section: callback_aom_alarm
        key: project_id
  project_name:
    env:
      - name: HW_PROJECT_NAME
    ini:
      - section: huaweicloud_aom
        key: project_name
      - section: callback_aom_alarm
        key: project_name
  enterprise_project_id:
    env:
      - name: HW_ENTERPRISE_PROJECT_ID
    ini:
      - section: huaweicloud_aom
        key: enterprise_project_id
      - section: callback_aom_alarm
        key: enterprise_project_id
  access_key:
    env:
      - name: HUAWEICLOUD_SDK_AK
      - name: HW_ACCESS_KEY
    ini:
      - section: huaweicloud_aom
        key: access_key
      - section: callback_aom_alarm
        key: access_key
  secret_key:
    env:
      - name: HUAWEICLOUD_SDK_SK
      - name: HW_SECRET_KEY
    ini:
      - section: huaweicloud_aom
        key: secret_key
      - section: callback_aom_alarm
        key: secret_key
  security_token:
    env:
      - name: HUAWEICLOUD_SDK_SECURITY_TOKEN
      - name: HW_SECURITY_TOKEN
    ini:
      - section: huaweicloud_aom
        key: security_token
      - section: callback_aom_alarm
        key: security_token
  auth_token:
    env:
      - name: HW_AUTH_TOKEN
    ini:
      - section: huaweicloud_aom
        key: auth_token
      - section: callback_aom_alarm
        key: auth_token
  user:
    env:
      - name: HW_USER_NAME
    ini:
      - section: huaweicloud_aom
        key: user
      - section: callback_aom_alarm
        key: user
  password:
    env:
      - name: HW_USER_PASSWORD
    ini:
      - section: huaweicloud_aom
        key: password
      - section: callback_aom_alarm
        key: password
  domain:
    env:
      - name: HW_DOMAIN_NAME
    ini:
      - section: huaweicloud_aom
        key: domain
      - section: callback_aom_alarm
        key: domain
  validate_certs:
    type: str
    env:
      - name: HW_AOM_VALIDATE_CERTS
    ini:
      - section: huaweicloud_aom
        key: validate_certs
      - section: callback_aom_alarm
        key: validate_certs
  ca_path:
    env:
      - name: HW_AOM_CA_PATH
    ini:
      - section: huaweicloud_aom
        key: ca_path
      - section: callback_aom_alarm
        key: ca_path
  request_timeout:
    env:
      - name: HW_AOM_REQUEST_TIMEOUT
    ini:
      - section: huaweicloud_aom
        key: request_timeout
      - section: callback_aom_alarm
        key: request_timeout
  retries:
    env:
      - name: HW_AOM_RETRIES
    ini:
      - section: huaweicloud_aom
        key: retries
      - section: callback_aom_alarm
        key: retries
  allow_http:
    type: str
    env:
      - name: HW_AOM_ALLOW_HTTP
    ini:
      - section: huaweicloud_aom
        key: allow_http
      - section: callback_aom_alarm
        key: allow_http
'''
