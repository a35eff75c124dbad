#!/usr/bin/env bash
# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# The unit tests of plugins/module_utils and plugins/modules on the oldest and the newest Python
# the modules support (tests/config.yml: modules.python_requires):
#   hack/units-pythons.sh [VERSION...]        (default: 3.9 3.13)
# The modules run on the managed host's Python with the controller's ansible.module_utils
# (AnsiballZ ships them), so each Python gets a small venv of its own under .venv-units/ with
# the modules' libraries and pytest (hack/requirements-units-pythons.txt), and imports the
# `ansible` package of the controller's ansible-core (.venv), as a managed host would.
# Each interpreter is found as pythonX.Y on PATH or in pyenv ($PYENV_ROOT, `pyenv root`,
# /root/.pyenv); a missing one is an error naming it, never a skip.
set -euo pipefail

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
requirements=$root/hack/requirements-units-pythons.txt
versions=("$@")
[[ ${#versions[@]} -gt 0 ]] || versions=(3.9 3.13)

find_python() {
    local version=$1 candidate pyenv_roots=()
    # a pyenv shim is on PATH for every version but runs only the selected ones: try it
    if candidate=$(command -v "python$version" 2>/dev/null) && "$candidate" -c '' >/dev/null 2>&1; then
        echo "$candidate"
        return 0
    fi
    [[ -n ${PYENV_ROOT:-} ]] && pyenv_roots+=("$PYENV_ROOT")
    if command -v pyenv >/dev/null 2>&1; then
        pyenv_roots+=("$(pyenv root)")
    fi
    pyenv_roots+=(/root/.pyenv)
    for pyenv_root in "${pyenv_roots[@]}"; do
        # the newest patch release of that version
        candidate=$(compgen -G "$pyenv_root/versions/$version.*/bin/python" | sort -V | tail -1 || true)
        if [[ -n $candidate && -x $candidate ]]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

controller_ansible=$("$venv/bin/python" -c 'import ansible, os; print(os.path.dirname(ansible.__file__))') || {
    echo "units-pythons: no ansible-core in $venv; run 'make venv' first" >&2
    exit 2
}
controller_version=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/huaweicloud-aom-units-pythons.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# the checkout as ansible_collections.huaweicloud.aom, and the controller's `ansible` package alone
mkdir -p "$tmp/collections/ansible_collections/huaweicloud" "$tmp/controller"
ln -s "$root" "$tmp/collections/ansible_collections/huaweicloud/aom"
ln -s "$controller_ansible" "$tmp/controller/ansible"

status=0
for version in "${versions[@]}"; do
    if ! python=$(find_python "$version"); then
        echo "units-pythons: FAILED: Python $version not found (looked for python$version on PATH and" \
            "in pyenv: \$PYENV_ROOT, \`pyenv root\`, /root/.pyenv); install it, e.g. \`pyenv install $version\`" >&2
        status=1
        continue
    fi
    actual=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if [[ $actual != "$version" ]]; then
        echo "units-pythons: FAILED: $python is Python $actual, not $version" >&2
        status=1
        continue
    fi
    env_dir=$root/.venv-units/py$version
    "$root/hack/venv-with.sh" "$python" "$env_dir" "$requirements"
    echo "units-pythons: Python $("$env_dir/bin/python" -c 'import platform; print(platform.python_version())')," \
        "ansible.module_utils of ansible-core $controller_version"
    if ! (cd "$tmp/collections/ansible_collections/huaweicloud/aom" &&
        PYTHONPATH=$tmp/collections:$tmp/controller PYTHONDONTWRITEBYTECODE=1 \
            "$env_dir/bin/python" -m pytest -q -p no:cacheprovider \
            tests/unit/plugins/module_utils tests/unit/plugins/modules); then
        echo "units-pythons: FAILED on Python $version" >&2
        status=1
    fi
done
exit $status
