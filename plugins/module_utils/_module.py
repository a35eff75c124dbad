# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module base: what every module of the collection does besides its own logic.

``AOMModule`` merges the connection options into the argument spec, fails at once when a
required Python library is missing, hides URL credentials from the invocation, builds the
client when it is first used and turns every ``AOMError`` into one ``fail_json``, so that a
module's ``main()`` is its own logic only::

    def main():
        module = AOMModule(argument_spec=dict(name=dict(type='str')), supports_check_mode=True)
        module.run(lambda: dict(changed=False, found=module.client.list_events()))
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, NoReturn, Optional

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError, AOMError
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import (
    connection_argument_spec,
    resolve_connection,
    url_credentials,
)
from ansible_collections.huaweicloud.aom.plugins.module_utils._requirements import IMPORT_ERRORS, missing_libraries


class AOMModule(AnsibleModule):
    """An AnsibleModule with the collection's connection options, client and error mapping."""

    def __init__(self, argument_spec: Optional[Dict[str, Any]] = None,
                 required_libraries: Iterable[str] = ('requests', 'voluptuous'), **kwargs: Any) -> None:
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, **kwargs)
        # A URL with user:password@ is refused, but the invocation would still echo it.
        for name in ('endpoint', 'identity_endpoint'):
            self.no_log_values.update(url_credentials(self.params.get(name)))
        for name in missing_libraries(required_libraries):
            # the setup is incomplete, as with AOMConfigError: nothing was sent
            self.fail_json(msg=missing_required_lib(name), exception=str(IMPORT_ERRORS[name]),
                           error_kind=AOMConfigError.error_kind)
        self._client: Optional[AOMClient] = None

    @property
    def client(self) -> AOMClient:
        """The AOMClient for the connection options, built on first use (bad options raise AOMConfigError)."""
        if self._client is None:
            self._client = AOMClient(resolve_connection(self.params.get))
        return self._client

    def fail_aom(self, err: AOMError) -> NoReturn:
        """Fail with an AOMError's message and its details (error kind, status, error code, request id, path...)."""
        self.fail_json(msg=str(err), **err.to_dict())

    def run(self, work: Callable[[], Dict[str, Any]]) -> NoReturn:
        """``exit_json(**work())``; an AOMError raised by ``work`` fails the module instead."""
        try:
            result = work()
        except AOMError as err:
            self.fail_aom(err)
        self.exit_json(**result)
