# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection does with its connection options."""

from __future__ import annotations

from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import resolve_connection, url_credentials


def client_from_module(module):
    """The AOMClient for ``module``'s connection options, or the module fails naming the option."""
    # A URL with user:password@ is refused, but the module's invocation would still echo it.
    for name in ('endpoint', 'identity_endpoint'):
        module.no_log_values.update(url_credentials(module.params.get(name)))
    try:
        return AOMClient(resolve_connection(module.params.get))
    except AOMError as err:
        module.fail_json(msg=str(err), **err.to_dict())
