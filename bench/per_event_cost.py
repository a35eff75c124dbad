# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What aom_event costs per event above the floor of the same work.

For N new alarms in one task (default N = 1,000 and 10,000), measured side by side in one run
against the local emulator (temporary database, free port, token auth):

  module  one ``huaweicloud.aom.aom_event`` task reporting the N alarms (``events:``), wall time
          of the whole ansible-playbook run
  ansible Ansible's own cost for the same data: a one-task playbook whose module receives and
          returns the same N events (``ansible.builtin.ping`` with them as ``data``; ping's
          ``data`` is a str option, so the module turns the list into one string and returns
          that: a floor lower than returning N structured events, as aom_event does)
  http    a bare ``requests`` script doing the same HTTP work: one active-alarm lookup, then
          ceil(N / 100) PUTs of 100 events, on one session

  floor = ansible + http;  ratio = module / floor     target at 10,000 events: <= 1.3

Each side runs --repeat times, alternating, and the median is printed with the spread. The
difference module - floor is the collection's own cost (validation, normalisation, planning,
signing of nothing: token auth), printed per event. Wall times on a shared 2-core machine move
with its load, so the same ratio is printed in CPU seconds too (the ansible-playbook process
tree's user + system time; for the http side, this process's): neither side counts the
emulator's time, and CPU time hardly moves with the load.

The 1-minute load average before and after each size is printed with it. ``--baseline REV``
(e.g. ``main``) adds a fourth side, aom_event as committed at REV (``git archive``), run in
turn with the others, so that before and after are compared under the same load.

    .venv/bin/python bench/per_event_cost.py [--sizes 1000,10000] [--repeat 3] [--baseline REV]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from aom_emulator.process import EmulatorProcess  # noqa: E402
from bench.module_vs_uri import PROJECT_ID, REPO_ROOT, TIMEOUT_MS, Bench, copy_collection  # noqa: E402

PING_PLAYBOOK = '''\
- hosts: localhost
  gather_facts: false
  tasks:
    - name: the same events through a module that returns them
      ansible.builtin.ping:
        data: "{{ aom_events }}"
'''


def new_events(prefix: str, count: int) -> list[dict]:
    now = int(time.time() * 1000)
    return [{'event_name': 'bench alarm', 'event_severity': 'Major', 'resource_provider': 'bench',
             'resource_type': 'vm', 'resource_id': '%s-%d' % (prefix, index), 'starts_at': now,
             'timeout': TIMEOUT_MS} for index in range(count)]


def wire_event(event: dict) -> dict:
    """The EventModel the service takes for one of new_events' items."""
    metadata = {key: event[key] for key in ('event_name', 'event_severity', 'resource_provider',
                                            'resource_type', 'resource_id')}
    metadata['event_type'] = 'alarm'
    return {'starts_at': event['starts_at'], 'ends_at': 0, 'timeout': event['timeout'],
            'metadata': metadata, 'annotations': {}}


class PerEventBench(Bench):
    def __init__(self, workdir: Path, emulator: EmulatorProcess, token: str):
        super().__init__(workdir, emulator, token)
        (workdir / 'ping.yml').write_text(PING_PLAYBOOK)
        self.serial = 0
        self.revision = 'the work tree'

    def _prefix(self, side: str) -> str:
        self.serial += 1
        return '%s%d' % (side, self.serial)

    def module(self, count: int) -> tuple[float, float]:
        cpu = children_cpu()
        seconds, made = self.aom_event(count)
        cpu = children_cpu() - cpu
        if len(made) != 1 + -(-count // 100):
            sys.exit('per_event_cost: aom_event made %d requests for %d events' % (len(made), count))
        return seconds, cpu

    def ansible(self, count: int) -> tuple[float, float]:
        events = new_events(self._prefix('p'), count)
        cpu = children_cpu()
        seconds = self._run('ping.yml', {'aom_events': events})
        return seconds, children_cpu() - cpu

    def http(self, count: int) -> tuple[float, float]:
        """The lookup and the PUTs of the same work with a bare requests session."""
        events = [wire_event(event) for event in new_events(self._prefix('h'), count)]
        base = '%s/v2/%s' % (self.url, PROJECT_ID)
        headers = {'X-Auth-Token': self.token, 'Content-Type': 'application/json'}
        started, cpu = time.perf_counter(), time.process_time()
        with requests.Session() as session:
            relation = [{'key': 'resource_id', 'value': sorted({e['metadata']['resource_id'] for e in events}),
                         'relation': 'AND'}]
            lookup = session.post(base + '/events', params={'type': 'active_alert'}, headers=headers, timeout=60,
                                  data=json.dumps({'time_range': '-1.-1.43200', 'metadata_relation': relation}))
            lookup.raise_for_status()
            for start in range(0, len(events), 100):
                answer = session.put(base + '/push/events', headers=headers, timeout=60,
                                     data=json.dumps({'events': events[start:start + 100]}))
                answer.raise_for_status()
        return time.perf_counter() - started, time.process_time() - cpu


def children_cpu() -> float:
    """User + system seconds of the finished child processes (ansible-playbook and its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def archived_collection(revision: str, root: Path) -> Path:
    """The collection as committed at ``revision``, in root/ansible_collections/huaweicloud/aom."""
    dest = root / 'ansible_collections' / 'huaweicloud' / 'aom'
    dest.mkdir(parents=True)
    archive = subprocess.run(['git', '-C', str(REPO_ROOT), 'archive', '--format=tar', revision],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest)  # nosec: our own repository's archive
    return root


def measure(bench: PerEventBench, count: int, repeat: int, baseline: PerEventBench | None = None) -> float:
    load_before = os.getloadavg()[0]
    sides = {'module': [], 'ansible': [], 'http': [], 'baseline': []}
    runners = dict(module=bench.module, ansible=bench.ansible, http=bench.http,
                   baseline=baseline.module if baseline else None)
    for index in range(repeat):
        order = ('module', 'baseline', 'ansible', 'http')
        for side in order if index % 2 == 0 else reversed(order):
            if runners[side]:
                sides[side].append(runners[side](count))
    figures = {}
    for kind, column in (('wall', 0), ('cpu', 1)):
        module_s, ansible_s, http_s = (statistics.median(run[column] for run in sides[side])
                                       for side in ('module', 'ansible', 'http'))
        floor = ansible_s + http_s
        spread = ', '.join('%.2f' % (m[column] / (a[column] + h[column]))
                           for m, a, h in zip(sides['module'], sides['ansible'], sides['http']))
        figures[kind] = module_s / floor
        print('per-event cost (%s): events=%d module=%.2fs ansible(ping)=%.2fs http(requests)=%.2fs floor=%.2fs '
              'ratio=%.2f%s [medians of %d; per-run ratios %s] own cost=%.3f ms/event'
              % (kind, count, module_s, ansible_s, http_s, floor, figures[kind],
                 ' (target <= 1.3)' if count >= 10000 else '', repeat, spread,
                 (module_s - floor) * 1000.0 / count), flush=True)
        if baseline:
            baseline_s = statistics.median(run[column] for run in sides['baseline'])
            print('per-event cost (%s): events=%d baseline(%s)=%.2fs ratio=%.2f against the same floor; '
                  'module/baseline=%.2f' % (kind, count, baseline.revision, baseline_s, baseline_s / floor,
                                            module_s / baseline_s), flush=True)
    print('per-event cost: events=%d load average (1 min) %.2f before, %.2f after [%d cores]'
          % (count, load_before, os.getloadavg()[0], os.cpu_count() or 0), flush=True)
    return figures['wall']


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='1000,10000', help='events per task')
    parser.add_argument('--repeat', type=int, default=3, help='runs per side (median)')
    parser.add_argument('--baseline', metavar='REV', help='also time aom_event as committed at this git revision')
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(',') if n]
    with tempfile.TemporaryDirectory(prefix='aom-bench-per-event-') as tmp:
        workdir = Path(tmp)
        copy_collection(workdir / 'collections')
        with EmulatorProcess(workdir / 'aom.db') as emulator:
            bench = PerEventBench(workdir, emulator, emulator.demo_token())
            bench.module(10)  # warm-up: pyc and AnsiballZ caches
            bench.ansible(10)
            baseline = None
            if args.baseline:
                (workdir / 'baseline').mkdir()
                archived_collection(args.baseline, workdir / 'baseline' / 'collections')
                baseline = PerEventBench(workdir / 'baseline', emulator, bench.token)
                baseline.revision = args.baseline
                baseline.runs = 10 ** 6  # its alarms' resource IDs (m<runs>-N) never meet the module side's
                baseline.module(10)
            for size in sizes:
                measure(bench, size, args.repeat, baseline)
    return 0


if __name__ == '__main__':
    sys.exit(main())
