# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.huaweicloud.aom.plugins.module_utils._wire import listed_event, metadata_relation

NOW = 1700000000000


def test_listed_event_normalises_service_items():
    raw = {'id': 'x', 'event_sn': 7, 'metadata': {'resource_id': 5}, 'starts_at': NOW, 'timeout': 1}
    assert listed_event(raw) == {'id': 'x', 'event_sn': 7, 'metadata': {'resource_id': '5'}, 'annotations': {},
                                 'starts_at': NOW, 'ends_at': 0, 'arrives_at': None, 'timeout': 1}
    assert listed_event(listed_event(raw)) == listed_event(raw)


def test_metadata_relation_skips_empty_filters():
    assert metadata_relation({'resource_id': ['a', 'b'], 'event_name': []}) == [
        {'key': 'resource_id', 'value': ['a', 'b'], 'relation': 'AND'}]
