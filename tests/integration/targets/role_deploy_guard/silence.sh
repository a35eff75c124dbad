# shellcheck shell=bash
# deploy_guard_silence, sourced by runme.sh (needs its emulator, check and deploy_fails).
silenced() { ansible-playbook -i inventory deploy_silenced.yml "$@"; }
check_silences() { ansible-playbook check_silences.yml "$@"; }

# 12. a successful deployment: the service's alarms during it are muted, no silence is left
silenced -e service=calm
check_silences -e service=calm -e expect=done

# 13. a failed deployment: the role's failure alarm pages, no silence is left
if silenced -e service=stormy -e deploy_break=fail >"$AOM_SCRATCH/out" 2>&1; then
    cat "$AOM_SCRATCH/out"
    echo "the deployment was expected to fail" >&2
    exit 1
fi
cat "$AOM_SCRATCH/out"
check_silences -e service=stormy -e expect=failed

# 14. a run killed mid-deployment leaves its silence, which ends by itself within deploy_guard_silence_max
marker="$AOM_SCRATCH/deploying"
setsid ansible-playbook -i inventory deploy_silenced.yml -e service=killed -e deploy_sleep=300 \
    -e deploy_marker="$marker" -e deploy_guard_silence_max=2m >"$AOM_SCRATCH/killed.out" 2>&1 &
run=$!
for _ in $(seq 1 120); do [[ -e "$marker" ]] && break; sleep 0.5; done
[[ -e "$marker" ]] || { cat "$AOM_SCRATCH/killed.out"; echo "the deployment never started" >&2; exit 1; }
killed_at=$("$AOM_PYTHON" -c 'import time; print(int(time.time() * 1000))')
kill -9 -- "-$run"
wait "$run" || true
check_silences -e service=killed -e expect=killed -e killed_at="$killed_at" -e max_ms=120000
