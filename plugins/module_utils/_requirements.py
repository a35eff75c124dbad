# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The third-party Python libraries the plugins need, checked in one place.

The sanity import test loads every plugin without them, so each import is guarded where it
is made (``_client`` imports requests, ``_events`` voluptuous) and the caller asks here which
are missing before it does any work: modules fail with ``missing_required_lib``, the callback
disables itself, the filter raises.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional

try:
    import requests  # noqa: F401  pylint: disable=unused-import
except ImportError as exc:
    REQUESTS_IMPORT_ERROR = exc
else:
    REQUESTS_IMPORT_ERROR = None

try:
    import voluptuous  # noqa: F401  pylint: disable=unused-import
except ImportError as exc:
    VOLUPTUOUS_IMPORT_ERROR = exc
else:
    VOLUPTUOUS_IMPORT_ERROR = None

IMPORT_ERRORS: Dict[str, Optional[ImportError]] = {'requests': REQUESTS_IMPORT_ERROR, 'voluptuous': VOLUPTUOUS_IMPORT_ERROR}


def missing_libraries(names: Iterable[str] = ('requests', 'voluptuous')) -> List[str]:
    """The libraries among ``names`` that cannot be imported, in the order given."""
    return [name for name in names if IMPORT_ERRORS[name] is not None]
