#!/usr/bin/env bash
# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Lint what ansible-test does not: changelog fragments and the shipped playbooks and roles.
#   hack/lint.sh
# 1. antsibull-changelog lint (changelogs/fragments).
# 2. ansible-lint, production profile, over playbooks/ and roles/ (those that exist), run in a
#    temporary ansible_collections/huaweicloud/aom copy with ANSIBLE_COLLECTIONS_PATH pointing
#    at it, so huaweicloud.aom.* resolves to this checkout. tests/ (and so tests/output) is
#    excluded: ansible-test sanity covers it. --offline: ansible-lint installs nothing.
# 3. antsibull-docs lint-collection-docs --plugin-docs: every plugin's and role's docs render.
set -euo pipefail

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
export PATH="$venv/bin:$PATH"

echo "lint: antsibull-changelog lint"
(cd "$root" && antsibull-changelog lint)

targets=()
for dir in playbooks roles; do
    if [[ -d $root/$dir ]] && [[ -n $(find "$root/$dir" \( -name '*.yml' -o -name '*.yaml' \) -print -quit) ]]; then
        targets+=("$dir")
    fi
done
if [[ ${#targets[@]} -eq 0 ]]; then
    echo "lint: no playbooks/ or roles/ with YAML yet: ansible-lint skipped"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/huaweicloud-aom-lint.XXXXXX")
tmp=$(cd -P "$tmp" && pwd -P)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/ansible_collections/huaweicloud/aom
"$root/hack/copy-checkout.sh" "$dest"

export ANSIBLE_COLLECTIONS_PATH=$tmp
# keep ansible-lint's caches out of the checkout and of ~/.cache between checkouts
export XDG_CACHE_HOME=$tmp/.cache
echo "lint: ansible-lint --profile production ${targets[*]}"
cd "$dest"
ansible-lint --offline --nocolor --profile production --exclude tests --exclude .venv "${targets[@]}"

echo "lint: antsibull-docs lint-collection-docs --plugin-docs"
antsibull-docs lint-collection-docs --plugin-docs .
