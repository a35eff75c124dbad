# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by every unit test; the collection imported as ansible-test does, also under a bare ``pytest``.

ansible-test installs ansible-core's collection finder before any test module is imported, so that
``ansible_collections.huaweicloud.aom`` is a collection to ansible-core's plugin loader too (the
callback tests load the callback with it). A bare ``python -m pytest tests/unit`` with the
collection's parent directory on PYTHONPATH gets the same finder here, rooted where this checkout
is importable from, before anything of the collection is imported.
"""

from __future__ import annotations

import os

import pytest

from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

if AnsibleCollectionConfig.collection_finder is None:
    # tests/unit/conftest.py -> <root>/ansible_collections/huaweicloud/aom
    _ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..'))
    _AnsibleCollectionFinder(paths=[_ROOT])._install()  # pylint: disable=protected-access

from ansible_collections.huaweicloud.aom.tests.unit.fake_aom import FakeAOM  # noqa: E402 (after the finder)


@pytest.fixture
def fake_aom():
    """A new, empty fake AOM service (see tests/unit/fake_aom.py); its clock is the wall clock."""
    return FakeAOM()
