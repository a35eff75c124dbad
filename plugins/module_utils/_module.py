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

import json
import re
from typing import Any, Callable, Dict, Iterable, List, NoReturn, Optional, Tuple

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError, AOMError
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import (
    connection_argument_spec,
    resolve_connection,
    url_credentials,
)
from ansible_collections.huaweicloud.aom.plugins.module_utils._requirements import IMPORT_ERRORS, missing_libraries

# ansible-core 2.19+ masks the result, then hands it to this hook to be written; before, it prints it.
_HAS_RESULT_HOOK = hasattr(AnsibleModule, '_record_module_result')
# Keys of a result that _return_formatted reads itself: never set aside.
_CORE_KEYS = ('invocation', 'warnings', 'deprecations', 'exception', 'msg', 'path', 'dest')
# What JSON writes otherwise than as itself (with ensure_ascii=False): quote, backslash, C0 controls.
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')


class AOMModule(AnsibleModule):
    """An AnsibleModule with the collection's connection options, client and error mapping."""

    # (where, key, value) of the result's parts that skip the no_log scan
    _set_aside: Tuple[Tuple[str, str, Any], ...] = ()

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

    # -- the result's no_log scan, skipped where it provably finds nothing -----------------------
    #
    # exit_json and fail_json copy the whole result, item by item, to mask the no_log values
    # (remove_values): for 10,000 events in and out, about as long as validating them. A list or
    # dict of the result, or of the invocation's module_args, whose JSON text holds none of the
    # no_log values would come out of that scan unchanged: it is set aside, the scan masks the
    # rest as always, and the part is put back where the scan left None. JSON text shows every
    # str, key and number as itself (a no_log value with a character JSON escapes turns this
    # off), so a value the scan would mask or cut from a string is found in it; a part that is
    # not plain JSON (bytes, sets, dates, NaN) stays in the scan. Only on ansible-core 2.19+
    # (its _record_module_result hook); before, the whole result is scanned.

    def _return_formatted(self, kwargs: Dict[str, Any]) -> None:
        if _HAS_RESULT_HOOK:
            self._set_aside = self._set_aside_clean(kwargs)
        super()._return_formatted(kwargs)

    def _set_aside_clean(self, kwargs: Dict[str, Any]) -> Tuple[Tuple[str, str, Any], ...]:
        secrets = list(self.no_log_values)
        if not all(isinstance(secret, str) and secret and not _JSON_ESCAPED.search(secret) for secret in secrets):
            return ()
        # the invocation _return_formatted would add, made here (copies) to set parts of it aside
        invocation = kwargs.setdefault('invocation', {'module_args': self.params})
        args: Dict[str, Any] = {}
        if isinstance(invocation, dict) and isinstance(invocation.get('module_args'), dict):
            args = dict(invocation['module_args'])
            kwargs['invocation'] = dict(invocation, module_args=args)
        set_aside: List[Tuple[str, str, Any]] = []
        for where, part in (('result', kwargs), ('args', args)):
            for key, value in part.items():
                if (where == 'args' or key not in _CORE_KEYS and not key.startswith('_')) \
                        and isinstance(value, (list, dict)) and value and _json_holds_none(value, secrets):
                    set_aside.append((where, key, value))
                    part[key] = None
        return tuple(set_aside)

    def _record_module_result(self, o: Dict[str, Any]) -> None:
        for where, key, value in self._set_aside:
            part = o if where == 'result' else o.get('invocation', {}).get('module_args', {})
            if key in part and part[key] is None:
                part[key] = value
        self._set_aside = ()
        super()._record_module_result(o)


def _json_holds_none(value: Any, secrets: List[str]) -> bool:
    """Whether ``value`` is plain JSON whose text holds none of ``secrets``."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return not any(secret in text for secret in secrets)
