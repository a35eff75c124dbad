#!/usr/bin/env bash
# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Build the collection tarball, install it into a temporary path, and use it from there:
# proves that build_ignore ships everything the plugins need and nothing else.
#   hack/build-smoke.sh
# 1. ansible-galaxy collection build, then a check of the tarball's file list;
# 2. ansible-galaxy collection install of that tarball into an empty collections path;
# 3. ansible-doc renders every plugin and the role from the installed copy;
# 4. against a local emulator: aom_event and aom_event_info from the installed copy, and the
#    aom_alarm callback raising an alarm for a failing playbook, then clearing it.
# Environment: VENV (default <checkout>/.venv: its ansible-core and Python run everything),
# SMOKE_MODULE_PYTHON (optional: the Python the modules run on, as a managed host's would;
# it needs requests and voluptuous).
set -euo pipefail

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
export PATH="$venv/bin:$PATH"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/huaweicloud-aom-smoke.XXXXXX")
emulator_pid=
cleanup() {
    if [[ -n $emulator_pid ]] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid"
        wait "$emulator_pid" 2>/dev/null || true
    fi
    [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "build-smoke: FAILED: $*" >&2; exit 1; }
module_python_args=()
if [[ -n ${SMOKE_MODULE_PYTHON:-} ]]; then
    module_python_args=(-e "ansible_python_interpreter=$SMOKE_MODULE_PYTHON")
fi
echo "build-smoke: $(ansible --version | head -1), modules on ${SMOKE_MODULE_PYTHON:-the controller Python}"

echo "build-smoke: ansible-galaxy collection build"
"$root/hack/copy-checkout.sh" "$tmp/src"
(cd "$tmp/src" && ansible-galaxy collection build --force --output-path "$tmp/dist" >/dev/null)
tarball=$(ls "$tmp"/dist/huaweicloud-aom-*.tar.gz)
tar -tzf "$tarball" | sed 's#^\./##' | sort >"$tmp/files"
for needed in MANIFEST.json FILES.json README.md COPYING meta/runtime.yml \
    plugins/modules/aom_event.py plugins/modules/aom_event_info.py plugins/callback/aom_alarm.py \
    plugins/module_utils/_client.py plugins/module_utils/_signer.py plugins/doc_fragments/connection.py \
    plugins/filter/aom_event_errors.py meta/execution-environment.yml meta/ee-requirements.txt \
    extensions/awx/credential_type_huaweicloud_aom.yml \
    roles/deploy_guard/tasks/main.yml roles/deploy_guard/meta/argument_specs.yml playbooks/demo.yml; do
    grep -qxF "$needed" "$tmp/files" || fail "$needed is missing from $(basename "$tarball")"
done
# tests/ needs the emulator, which is not shipped; docs/ is for developers
for unwanted in '^aom_emulator/' '^bench/' '^hack/' '^\.ci/' '^\.venv/' '^tests/' '^docs/' \
    '^Makefile$' '^build/' '__pycache__' '\.pyc$'; do
    if grep -E "$unwanted" "$tmp/files" >/dev/null; then
        fail "$(basename "$tarball") ships $(grep -E "$unwanted" "$tmp/files" | head -1)"
    fi
done
echo "build-smoke: $(basename "$tarball"): $(wc -l <"$tmp/files") entries, nothing unwanted"

echo "build-smoke: ansible-galaxy collection install into an empty path"
ansible-galaxy collection install --offline -p "$tmp/installed" "$tarball" >/dev/null
export ANSIBLE_COLLECTIONS_PATH=$tmp/installed
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
installed=$tmp/installed/ansible_collections/huaweicloud/aom
[[ -f $installed/plugins/modules/aom_event.py ]] || fail "the install did not produce $installed"

for plugin in huaweicloud.aom.aom_event huaweicloud.aom.aom_event_info; do
    ansible-doc "$plugin" >/dev/null || fail "ansible-doc $plugin"
done
ansible-doc -t callback huaweicloud.aom.aom_alarm >/dev/null || fail "ansible-doc -t callback huaweicloud.aom.aom_alarm"
ansible-doc -t role huaweicloud.aom.deploy_guard >/dev/null || fail "ansible-doc -t role huaweicloud.aom.deploy_guard"
ansible-doc -t filter huaweicloud.aom.aom_event_errors >/dev/null || fail "ansible-doc -t filter huaweicloud.aom.aom_event_errors"
echo "build-smoke: ansible-doc renders the modules, the callback, the filter and the role"

# the emulator comes from the checkout: it is not shipped
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} python -m aom_emulator --host 127.0.0.1 --port 0 \
    --db "$tmp/aom.db" --port-file "$tmp/port" >"$tmp/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 150); do [[ -s $tmp/port ]] && break; sleep 0.2; done
[[ -s $tmp/port ]] || fail "the emulator did not start: $(cat "$tmp/emulator.log")"
url=http://127.0.0.1:$(cat "$tmp/port")
export HW_AOM_ENDPOINT=$url HW_AOM_ALLOW_HTTP=true HW_PROJECT_ID=0123456789abcdef0123456789abcdef
export HW_ACCESS_KEY=DEMOACCESSKEY0000000 HW_SECRET_KEY=DEMOSECRETKEYdemosecretkeydemosecretkey00

echo "build-smoke: modules from the installed copy"
(cd "$tmp" && ansible-playbook -i localhost, "${module_python_args[@]}" "$root/hack/smoke/modules.yml")

echo "build-smoke: the callback from the installed copy"
export ANSIBLE_CALLBACKS_ENABLED=huaweicloud.aom.aom_alarm AOM_ALARM_SPOOL_DIR=$tmp/spool
if (cd "$tmp" && ansible-playbook -i localhost, -e smoke_fail=true "$root/hack/smoke/failing.yml" >"$tmp/failing.log" 2>&1); then
    cat "$tmp/failing.log"
    fail "the failing playbook succeeded"
fi
(cd "$tmp" && ansible-playbook -i localhost, -e smoke_expect=1 "${module_python_args[@]}" "$root/hack/smoke/check_alarm.yml")
(cd "$tmp" && ansible-playbook -i localhost, "$root/hack/smoke/failing.yml" >"$tmp/fixed.log" 2>&1) || {
    cat "$tmp/fixed.log"
    fail "the fixed playbook failed"
}
(cd "$tmp" && ansible-playbook -i localhost, -e smoke_expect=0 "${module_python_args[@]}" "$root/hack/smoke/check_alarm.yml")
echo "build-smoke: OK"
