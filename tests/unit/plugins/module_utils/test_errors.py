# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an AOMError gives a module's failure: its kind (service, config, input) and its details, as data."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils import _silences
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import (
    AOMConfigError,
    AOMError,
    AOMValidationError,
    problem,
)


def test_a_service_error_says_service_with_its_details():
    err = AOMError('AOM push failed: HTTP 503', status=503, error_code='APIG.0203', request_id='r-1')
    assert err.to_dict() == {'error_kind': 'service', 'status': 503, 'error_code': 'APIG.0203', 'request_id': 'r-1'}


def test_an_error_answer_and_a_request_that_could_not_be_made_are_service_errors():
    answered = AOMError.from_response(401, b'{"error": {"code": 401, "message": "bad"}}', {}, 'IAM token request')
    assert answered.to_dict()['error_kind'] == 'service' and answered.to_dict()['status'] == 401
    unreachable = AOMError('AOM list failed: could not reach aom.example.com after 3 attempt(s): timed out')
    assert unreachable.to_dict() == {'error_kind': 'service', 'status': None, 'error_code': None, 'request_id': None}


def test_a_config_error_says_config():
    err = AOMConfigError('project_id must be the 32-character hexadecimal project ID')
    assert err.to_dict() == {'error_kind': 'config', 'status': None, 'error_code': None, 'request_id': None}


def test_a_validation_error_says_input_with_every_problem():
    err = AOMValidationError(errors=[problem('events[0].timeout', 'is negative', 0, 'timeout'),
                                     problem('since', 'is not a time')])
    assert err.to_dict() == {'error_kind': 'input', 'path': 'events[0].timeout', 'errors': err.errors}
    assert AOMValidationError('is not a time', path='since').to_dict()['error_kind'] == 'input'


def test_subclasses_inherit_the_kind():
    class Sub(AOMError):
        pass

    assert Sub('x').to_dict()['error_kind'] == 'service'
    assert _silences.SilenceValidationError('bad', path='name').to_dict()['error_kind'] == 'input'


@pytest.mark.parametrize('cls, kind', [(AOMError, 'service'), (AOMConfigError, 'config'),
                                       (AOMValidationError, 'input')])
def test_the_kind_is_a_class_attribute(cls, kind):
    assert cls.error_kind == kind


def test_a_time_zone_the_host_cannot_read_is_its_setup_not_aom():
    """A stored rule's time zone unknown to this Python: config (the host's time zone data), not service."""
    with pytest.raises(AOMConfigError) as info:
        _silences.in_force({'timezone': 'Nowhere/City', 'mute_config': {'type': 'DAILY', 'starts_at': 0,
                                                                        'ends_at': 60}}, 1700000000000)
    assert info.value.to_dict()['error_kind'] == 'config' and 'Nowhere/City' in str(info.value)
