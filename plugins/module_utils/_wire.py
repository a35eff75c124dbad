# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AOM list API's shapes, beside the client that sends them: what a listed event looks like
in the collection, and the ``metadata_relation`` filter of a list request.

The events sent by ``PUT /push/events`` are the collection's own (``_events.build_events``).
"""

from __future__ import annotations


def listed_event(raw: dict) -> dict:
    """A ListEventModel from the service in the collection's shape (missing fields as None, {} or 0)."""
    return {
        'id': raw.get('id'),
        'event_sn': raw.get('event_sn'),
        'metadata': dict((str(k), str(v)) for k, v in (raw.get('metadata') or {}).items()),
        'annotations': dict(raw.get('annotations') or {}),
        'starts_at': raw.get('starts_at'),
        'ends_at': raw.get('ends_at') or 0,
        'arrives_at': raw.get('arrives_at'),
        'timeout': raw.get('timeout'),
    }


def metadata_relation(filters: dict[str, list[str]], relation: str = 'AND') -> list[dict]:
    """The list API's ``metadata_relation`` from ``{key: [values]}``: each key must have one of its values."""
    return [{'key': key, 'value': list(values), 'relation': relation}
            for key, values in filters.items() if values]
