# shellcheck shell=bash
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# The AOM emulator for runme.sh integration targets. A target lists needs/target/setup_emulator
# in its aliases (so ansible-test copies this directory next to it) and, from its own directory:
#
#   source ../setup_emulator/files/emulator.sh
#   aom_scratch my_target        # AOM_SCRATCH: a temporary directory, removed at exit
#   aom_collection_root          # AOM_ROOT: the collection under test (importable by ansible)
#                                # (both optional: aom_start_emulator calls them when needed)
#   aom_start_emulator           # AOM_EMULATOR_PID, AOM_EMULATOR_PORT, AOM_EMULATOR_URL
#   aom_demo_env                 # HW_* of the emulator's built-in demo account
#   aom_enable_callback          # huaweicloud.aom.aom_alarm added to ANSIBLE_CALLBACKS_ENABLED
#
# aom_stop_emulator [SIGNAL] stops it (kill -9 with KILL); aom_start_emulator "$AOM_EMULATOR_PORT"
# brings it back on the same port with the same database. aom_without_callback CMD... runs CMD
# without the callback. One EXIT trap calls the target's aom_cleanup_hook (if it defines one),
# stops the emulator and removes AOM_SCRATCH (kept when KEEP_SCRATCH is set).
# AOM_PYTHON is the Python of the test; AOM_STORE the store helper (aom_store.py, see its --help).

AOM_PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
AOM_STORE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/aom_store.py
AOM_ROOT=
AOM_SCRATCH=
AOM_EMULATOR_PORT=
AOM_EMULATOR_URL=
# the emulator's built-in demo account (aom_emulator/accounts.py, docs/architecture.md)
AOM_DEMO_PROJECT_ID=0123456789abcdef0123456789abcdef
AOM_DEMO_ACCESS_KEY=DEMOACCESSKEY0000000
AOM_DEMO_SECRET_KEY=DEMOSECRETKEYdemosecretkeydemosecretkey00
export AOM_PYTHON AOM_STORE AOM_DEMO_PROJECT_ID AOM_DEMO_ACCESS_KEY AOM_DEMO_SECRET_KEY

# aom_collection_root: AOM_ROOT is the collection in the collection paths (ansible-test sets
# them), else the checkout this file is in, then linked into a collection path in AOM_SCRATCH.
aom_collection_root() {
    local path paths
    AOM_ROOT=
    IFS=: read -r -a paths <<<"${ANSIBLE_COLLECTIONS_PATH:-${ANSIBLE_COLLECTIONS_PATHS:-}}"
    for path in "${paths[@]}"; do
        if [[ -n $path && -f $path/ansible_collections/huaweicloud/aom/aom_emulator/__init__.py ]]; then
            AOM_ROOT=$path/ansible_collections/huaweicloud/aom
            return 0
        fi
    done
    AOM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../../.." && pwd)
    [[ -f $AOM_ROOT/aom_emulator/__init__.py ]] || { echo "aom_emulator not found in $AOM_ROOT" >&2; return 1; }
    [[ -n $AOM_SCRATCH ]] || aom_scratch aom
    mkdir -p "$AOM_SCRATCH/collections/ansible_collections/huaweicloud"
    ln -sfn "$AOM_ROOT" "$AOM_SCRATCH/collections/ansible_collections/huaweicloud/aom"
    export ANSIBLE_COLLECTIONS_PATH=$AOM_SCRATCH/collections
}

# aom_scratch NAME: AOM_SCRATCH, a new temporary directory named after NAME
aom_scratch() {
    AOM_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
}

# aom_start_emulator [PORT] [ARGS...]: the emulator on 127.0.0.1:PORT (default 0: any free port)
# with more ARGS (e.g. --credentials FILE); its database, port file, log (emulator.log) and pid
# file (emulator.pid, for a restart from a subshell) are in AOM_SCRATCH. Returns once it listens.
# The first call makes AOM_SCRATCH (named after the current directory) and finds AOM_ROOT if
# aom_scratch and aom_collection_root were not called yet.
aom_start_emulator() {
    local port=${1:-0} pid
    shift || true
    [[ -n $AOM_SCRATCH ]] || aom_scratch "$(basename "$PWD")"
    [[ -n $AOM_ROOT ]] || aom_collection_root
    rm -f "$AOM_SCRATCH/port"
    PYTHONPATH=$AOM_ROOT${PYTHONPATH:+:$PYTHONPATH} "$AOM_PYTHON" -m aom_emulator --host 127.0.0.1 \
        --port "$port" --db "$AOM_SCRATCH/aom.db" --port-file "$AOM_SCRATCH/port" "$@" \
        </dev/null >>"$AOM_SCRATCH/emulator.log" 2>&1 &
    pid=$!
    echo "$pid" >"$AOM_SCRATCH/emulator.pid"
    # recorded for hack/ansible-test.sh, which stops any emulator a failed target left behind
    if [[ -d $AOM_ROOT/tests/output/.tmp ]]; then echo "$pid" >>"$AOM_ROOT/tests/output/.tmp/aom-emulator.pids"; fi
    for _ in $(seq 150); do
        if [[ -s $AOM_SCRATCH/port ]]; then
            # shellcheck disable=SC2034  # read by the targets
            AOM_EMULATOR_PID=$pid
            AOM_EMULATOR_PORT=$(cat "$AOM_SCRATCH/port")
            AOM_EMULATOR_URL=http://127.0.0.1:$AOM_EMULATOR_PORT
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$AOM_SCRATCH/emulator.log" >&2
    echo "the AOM emulator did not start" >&2
    return 1
}

# aom_stop_emulator [SIGNAL]: stop the emulator (SIGTERM by default) and wait until it is gone
aom_stop_emulator() {
    local pid
    [[ -n $AOM_SCRATCH ]] || return 0
    pid=$(cat "$AOM_SCRATCH/emulator.pid" 2>/dev/null || true)
    rm -f "$AOM_SCRATCH/emulator.pid"
    # shellcheck disable=SC2034  # read by the targets
    AOM_EMULATOR_PID=
    # the command line is checked so that a reused pid is never hit
    if [[ -z $pid ]] || ! grep -qa aom_emulator "/proc/$pid/cmdline" 2>/dev/null; then
        return 0
    fi
    kill -s "${1:-TERM}" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true  # when this shell started it; else poll until gone (or a zombie)
    for _ in $(seq 100); do
        if ! kill -0 "$pid" 2>/dev/null || grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
}

# aom_demo_env: the connection settings of the emulator's built-in demo account
aom_demo_env() {
    export HW_AOM_ENDPOINT=$AOM_EMULATOR_URL HW_AOM_ALLOW_HTTP=true HW_PROJECT_ID=$AOM_DEMO_PROJECT_ID
    export HW_ACCESS_KEY=$AOM_DEMO_ACCESS_KEY HW_SECRET_KEY=$AOM_DEMO_SECRET_KEY
}

# aom_enable_callback: add the aom_alarm callback to the enabled ones (ansible-test enables junit)
aom_enable_callback() {
    if [[ -z ${AOM_CALLBACKS_WITHOUT+set} ]]; then
        AOM_CALLBACKS_WITHOUT=${ANSIBLE_CALLBACKS_ENABLED:-}
        export ANSIBLE_CALLBACKS_ENABLED="${AOM_CALLBACKS_WITHOUT:+$AOM_CALLBACKS_WITHOUT,}huaweicloud.aom.aom_alarm"
    fi
}

# aom_without_callback CMD...: CMD with the callbacks enabled before aom_enable_callback
aom_without_callback() {
    if [[ -n ${AOM_CALLBACKS_WITHOUT:-} ]]; then
        ANSIBLE_CALLBACKS_ENABLED=$AOM_CALLBACKS_WITHOUT "$@"
    else
        env -u ANSIBLE_CALLBACKS_ENABLED "$@"
    fi
}

_aom_exit() {
    if declare -F aom_cleanup_hook >/dev/null; then aom_cleanup_hook || true; fi
    if [[ -n $AOM_SCRATCH ]]; then
        aom_stop_emulator || true
        [[ -n ${KEEP_SCRATCH:-} ]] || rm -rf "$AOM_SCRATCH"
    fi
}
trap _aom_exit EXIT
