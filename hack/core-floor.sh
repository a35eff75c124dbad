#!/usr/bin/env bash
# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# The collection on the oldest ansible-core it declares (meta/runtime.yml requires_ansible), with
# the modules on the oldest Python they support (tests/config.yml):
#   hack/core-floor.sh
# A venv .venv-core-floor/ with hack/requirements-core-floor.txt (ansible-core 2.17.0), then
# hack/build-smoke.sh with it: build, install, ansible-doc of every plugin and the role, the
# modules and the callback against the emulator; the modules run on Python 3.9 (the venv
# hack/units-pythons.sh made in .venv-units/py3.9, with requests and voluptuous).
set -euo pipefail

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
python=${PYTHON:-python3}
requirements=$root/hack/requirements-core-floor.txt
floor_venv=$root/.venv-core-floor
module_python=$root/.venv-units/py3.9/bin/python

floor=$(sed -n 's/^requires_ansible: *">=\([0-9.]*\)".*/\1/p' "$root/meta/runtime.yml")
pinned=$(sed -n 's/^ansible-core==\([0-9.]*\)$/\1/p' "$requirements")
if [[ $floor != "$pinned" ]]; then
    echo "core-floor: FAILED: meta/runtime.yml requires ansible-core >=$floor but $requirements pins $pinned" >&2
    exit 1
fi
if [[ ! -x $module_python ]]; then
    echo "core-floor: FAILED: no $module_python; run hack/units-pythons.sh 3.9 (make units-pythons) first" >&2
    exit 1
fi
"$root/hack/venv-with.sh" "$python" "$floor_venv" "$requirements"
VENV=$floor_venv SMOKE_MODULE_PYTHON=$module_python "$root/hack/build-smoke.sh"
