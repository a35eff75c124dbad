# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by every unit test."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.tests.unit.fake_aom import FakeAOM


@pytest.fixture
def fake_aom():
    """A new, empty fake AOM service (see tests/unit/fake_aom.py); its clock is the wall clock."""
    return FakeAOM()
