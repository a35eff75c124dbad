#!/usr/bin/env bash
# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Copy this checkout into DEST (created if needed), as the collection would be laid out:
#   hack/copy-checkout.sh DEST
# In a git checkout: the tracked files (except those deleted in the work tree) and the
# untracked files that are not ignored (`git ls-files -co --exclude-standard`), so work in
# progress is tested too but .venv, tests/output, build/ are not. Otherwise (an unpacked
# tarball, say) everything except local state.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DEST" >&2
    exit 2
fi
dest=$1
root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
mkdir -p "$dest"

if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$root" ls-files -z -co --exclude-standard |
        while IFS= read -r -d '' file; do
            if [[ -e $root/$file || -L $root/$file ]]; then
                printf '%s\0' "$file"
            fi
        done |
        tar -C "$root" --null --no-recursion -T - -cf - |
        tar -C "$dest" -xf -
else
    tar -C "$root" \
        --exclude=./.git --exclude=./.venv --exclude=./tests/output --exclude=./build \
        --exclude=./.pytest_cache --exclude='__pycache__' --exclude='*.pyc' \
        -cf - . | tar -C "$dest" -xf -
fi
