# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The module attributes every module of the collection shares. A module extends
# huaweicloud.aom.attributes (the action group) plus one of the variants below, and documents
# only what is its own (for example what its diff shows).

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/huaweicloud.aom.aom) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - huaweicloud.aom.aom
'''

    # A module that writes: check mode sends nothing that writes, and predicts the change.
    CHANGES = r'''
options: {}
attributes:
  check_mode:
    description:
      - Can run in check mode and return the changed status prediction without modifying the target.
      - In check mode it only reads.
    support: full
'''

    # A module that only reads (an _info module).
    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check mode; it only reads.
    support: full
  diff_mode:
    description: Never changes anything, so there is no diff.
    support: N/A
'''
