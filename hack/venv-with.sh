#!/usr/bin/env bash
# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# A venv made by PYTHON holding REQUIREMENTS; remade only when that file is newer than its stamp:
#   hack/venv-with.sh PYTHON VENV_DIR REQUIREMENTS
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 PYTHON VENV_DIR REQUIREMENTS" >&2
    exit 2
fi
python=$1 env_dir=$2 requirements=$3
stamp=$env_dir/.requirements.stamp
if [[ ! -f $stamp || $requirements -nt $stamp ]]; then
    echo "creating $env_dir"
    rm -rf "$env_dir"
    "$python" -m venv "$env_dir"
    "$env_dir/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
    touch "$stamp"
fi
