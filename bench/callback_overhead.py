# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the huaweicloud.aom.aom_alarm callback costs a playbook run, against the local emulator.

A generated playbook of 50 local hosts x 20 tasks, 10% of the hosts failing halfway, is timed
without the callback and with it, for:
  (a) a healthy emulator                                 target ratio <= 1.05
  (b) an emulator answering every request after 2 s     target ratio <= 1.10, nothing lost
  (c) the emulator stopped                              target ratio <= 1.10, everything spooled
then 500 hosts failing in one task are counted in push requests (target <= 5), and the overhead is
measured as the inventory grows (10, 100, 1,000 local hosts, 2 tasks, 10% failing, forks 5 and 50),
with the HTTP requests the callback made (from the emulator's request log).

    .venv/bin/python bench/callback_overhead.py [--repeat N] [--tasks N] [--quick]

Runs without and with the callback alternate in ABBA order (without, with, with, without, ...),
so that a drift of the machine's load hits both sides. Each figure is the best of its runs (extra
load only ever adds time); the spread is the range of the per-pair ratios. The CPU time of
ansible-playbook and its workers is printed beside, the same way: it barely moves with the machine's
load, but it does not show the callback's waits (the end-of-run flush). Prints one line per figure.
A run costs about 40 ms per host and task on a loaded 2-core machine, hence the small playbooks.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from aom_emulator.accounts import DEMO_ACCOUNTS  # noqa: E402
from aom_emulator.process import EmulatorProcess  # noqa: E402
from bench._collection import collection_tree  # noqa: E402

DEMO = DEMO_ACCOUNTS['users'][0]
PROJECT = DEMO['projects']['cn-north-4']
# 19 debug tasks and the failing one: 50 hosts x 20 tasks, as the targets are stated
HOSTS, TASKS, FAILING_EVERY = 50, 19, 10
WIDE_HOSTS = 500
# (hosts, runs per side): one run each for the largest sizes, which take longest.
SCALE_SIZES = ((10, 3), (100, 1), (1000, 1))
SCALE_FORKS = (5, 50)
FLUSH_TIMEOUT = 10
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')


# -- generated inventories and playbooks ----------------------------------------------------

def host_name(index):
    return 'h%04d' % index


def failing_hosts(count):
    return set(host_name(index) for index in range(count) if index % FAILING_EVERY == 0)


def write_inventory(path, count):
    lines = ['[all]'] + [host_name(index) for index in range(count)]
    lines += ['[all:vars]', 'ansible_connection=local', 'ansible_python_interpreter={{ ansible_playbook_python }}']
    Path(path).write_text('\n'.join(lines) + '\n')


FAIL_TASK = ('    - name: break some hosts\n      ansible.builtin.fail:\n        msg: broken\n'
             '      when: (inventory_hostname[1:] | int) %% %d == 0\n' % FAILING_EVERY)


def debug_task(index):
    return '    - name: step %d\n      ansible.builtin.debug:\n        msg: step %d\n' % (index, index)


def write_playbook(path, steps):
    """``steps`` debug tasks with the failing task in their middle."""
    tasks = [debug_task(index) for index in range(steps)]
    tasks.insert(steps // 2, FAIL_TASK)
    Path(path).write_text('- hosts: all\n  gather_facts: false\n  tasks:\n' + ''.join(tasks))


def write_wide_playbook(path):
    Path(path).write_text('- hosts: all\n  gather_facts: false\n  tasks:\n'
                          '    - name: fail everywhere\n      ansible.builtin.fail:\n        msg: broken\n')


# -- the emulator's control endpoints -------------------------------------------------------

def call(emulator, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(emulator.url + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def active_alarms(emulator, playbook):
    rows = call(emulator, 'GET', '/_emulator/events?project_id=%s' % PROJECT)['events']
    return [row for row in rows if row['state'] == 'active' and row['metadata'].get('playbook') == playbook]


def callback_requests(emulator):
    """The callback's requests since the log was last emptied (control endpoints are not logged)."""
    return call(emulator, 'GET', '/_emulator/requests')['requests']


# -- timing ---------------------------------------------------------------------------------

def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_playbook(workdir, inventory, playbook, env, forks):
    """(wall seconds, CPU seconds of ansible-playbook and its workers, output)."""
    cpu = children_cpu()
    started = time.monotonic()
    completed = subprocess.run([ANSIBLE_PLAYBOOK, '-i', inventory, playbook, '-f', str(forks)], cwd=workdir, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    elapsed = time.monotonic() - started
    cpu = children_cpu() - cpu  # the workers are reaped by ansible-playbook, which we have just reaped
    # 2: some hosts failed, as intended; anything else means the bench itself is broken
    if completed.returncode not in (0, 2) or 'callback disabled' in completed.stdout:
        raise SystemExit('ansible-playbook %s exited %d:\n%s' % (playbook, completed.returncode, completed.stdout[-3000:]))
    return elapsed, cpu, completed.stdout


class Pairs:
    """Runs without and with the callback, in ABBA order; the best of each side, and the spread."""

    def __init__(self, repeat, run_without, run_with):
        self.without, self.with_, self.outputs = [], [], []
        self.cpu_without, self.cpu_with = [], []
        for index in range(repeat):
            for with_callback in ((False, True) if index % 2 == 0 else (True, False)):
                if with_callback:
                    elapsed, cpu, output = run_with()
                    self.with_.append(elapsed)
                    self.cpu_with.append(cpu)
                    self.outputs.append(output)
                else:
                    elapsed, cpu, _output = run_without()
                    self.without.append(elapsed)
                    self.cpu_without.append(cpu)

    @property
    def ratio(self):
        return min(self.with_) / min(self.without)

    def line(self):
        return 'with=%.2fs without=%.2fs ratio=%.3f' % (min(self.with_), min(self.without), self.ratio)

    def cpu(self):
        """CPU time hardly depends on what else the machine runs, unlike wall time; waits do not show in it."""
        return 'cpu with=%.2fs without=%.2fs ratio=%.3f' % (
            min(self.cpu_with), min(self.cpu_without), min(self.cpu_with) / min(self.cpu_without))

    def spread(self):
        if len(self.with_) == 1:
            return 'runs=1'
        ratios = sorted(w / wo for w, wo in zip(self.with_, self.without))
        return 'best of %d; pair ratios %.3f..%.3f; without %.2f..%.2fs' % (
            len(ratios), ratios[0], ratios[-1], min(self.without), max(self.without))


def request_kind(entry):
    if entry['path'].endswith('/push/events'):
        return 'clear' if (entry.get('query') or {}).get('action') == 'clear' else 'push'
    if entry['path'].endswith('/events'):
        return 'list'
    return entry['path']


def spool_contents(spool_dir):
    """(entries, alarm events in report entries, clear candidates in clear entries)."""
    entries = alarms = clears = 0
    for path in glob.glob(os.path.join(spool_dir, '*.json')):
        with open(path) as handle:
            entry = json.load(handle)
        entries += 1
        if entry['clear']:
            clears += len(entry['events'])
        else:
            alarms += len(entry['events'])
    return entries, alarms, clears


def loadavg():
    with open('/proc/loadavg') as handle:
        return ' '.join(handle.read().split()[:3])


# -- the figures ----------------------------------------------------------------------------

class Bench:

    def __init__(self, scratch, repeat, tasks=TASKS):
        self.scratch = scratch
        self.repeat = repeat
        self.tasks = tasks
        self.db = os.path.join(scratch, 'aom.db')
        self.spool_dir = os.path.join(scratch, 'spool')
        self.emulator = None
        self.base_env = dict((key, value) for key, value in os.environ.items()
                             if not key.startswith(('HW_', 'AOM_ALARM_', 'ANSIBLE_CALLBACKS_ENABLED')))
        self.base_env['ANSIBLE_HOST_KEY_CHECKING'] = 'false'

    def start_emulator(self):
        self.emulator = EmulatorProcess(self.db)

    def stop_emulator(self):
        if self.emulator is not None:
            try:
                self.emulator.stop()
            except subprocess.TimeoutExpired:
                pass  # close() kills it
            self.emulator.close()
            self.emulator = None

    def with_env(self, url):
        return dict(self.base_env, ANSIBLE_CALLBACKS_ENABLED='huaweicloud.aom.aom_alarm',
                    HW_AOM_ENDPOINT=url, HW_AOM_ALLOW_HTTP='true', HW_PROJECT_ID=PROJECT,
                    HW_ACCESS_KEY=DEMO['access_keys'][0]['ak'], HW_SECRET_KEY=DEMO['access_keys'][0]['sk'],
                    AOM_ALARM_SPOOL_DIR=self.spool_dir, AOM_ALARM_FLUSH_TIMEOUT=str(FLUSH_TIMEOUT))

    def pairs(self, inventory, playbook, with_env, forks=5, repeat=None):
        return Pairs(self.repeat if repeat is None else repeat,
                     lambda: run_playbook(self.scratch, inventory, playbook, self.base_env, forks),
                     lambda: run_playbook(self.scratch, inventory, playbook, with_env, forks))

    def overhead(self):
        inventory, playbook = os.path.join(self.scratch, 'hosts'), os.path.join(self.scratch, 'site.yml')
        write_inventory(inventory, HOSTS)
        write_playbook(playbook, self.tasks)
        expected = failing_hosts(HOSTS)
        with_env = self.with_env(self.emulator.url)

        # one untimed run first, so that every timed run finds the same standing alarms
        run_playbook(self.scratch, inventory, playbook, with_env, 5)

        healthy = self.pairs(inventory, playbook, with_env)
        print('callback overhead (healthy): %s (target <= 1.05); %s; %s'
              % (healthy.line(), healthy.cpu(), healthy.spread()), flush=True)

        earlier_runs = set(row['annotations'].get('run_id') for row in active_alarms(self.emulator, 'site.yml'))
        call(self.emulator, 'POST', '/_emulator/faults', {'delay': 2.0, 'count': 100000})
        slow = self.pairs(inventory, playbook, with_env)
        call(self.emulator, 'DELETE', '/_emulator/faults')
        # delivered by the timed runs: each expected alarm is active and names one of their runs
        delivered = set(row['metadata']['resource_id'] for row in active_alarms(self.emulator, 'site.yml')
                        if row['annotations'].get('run_id') not in earlier_runs)
        entries = spool_contents(self.spool_dir)[0]
        print('callback overhead (2 s delay): %s (target <= 1.10); active alarms=%d of %d%s, spool entries=%d, '
              'spooled warning=%s; %s; %s'
              % (slow.line(), len(delivered & expected), len(expected),
                 '' if delivered == expected else ' (missing: %s)' % ','.join(sorted(expected - delivered)),
                 entries, any('spooled to' in output for output in slow.outputs), slow.cpu(), slow.spread()), flush=True)

        self.stop_emulator()  # with_env keeps its URL: nothing listens there now
        down = self.pairs(inventory, playbook, with_env)
        entries, alarms, clears = spool_contents(self.spool_dir)
        print('callback overhead (emulator stopped): %s (target <= 1.10); spool entries=%d, alarms spooled=%d '
              '(expected %d per run x %d runs), clears spooled=%d; %s; %s'
              % (down.line(), entries, alarms, len(expected), len(down.with_), clears, down.cpu(), down.spread()),
              flush=True)

    def wide(self):
        self.start_emulator()
        for path in glob.glob(os.path.join(self.spool_dir, '*.json')):
            os.unlink(path)  # the previous figure's spool would be flushed first, in requests of its own
        inventory, playbook = os.path.join(self.scratch, 'wide_hosts'), os.path.join(self.scratch, 'wide.yml')
        write_inventory(inventory, WIDE_HOSTS)
        write_wide_playbook(playbook)
        call(self.emulator, 'DELETE', '/_emulator/requests')
        elapsed, _cpu, _output = run_playbook(self.scratch, inventory, playbook, self.with_env(self.emulator.url), 50)
        pushes = [entry for entry in callback_requests(self.emulator) if entry['path'].endswith('/push/events')]
        print('push requests (%d hosts failing in one task): %d (target <= 5); alarms active=%d; run %.1fs'
              % (WIDE_HOSTS, len(pushes), len(active_alarms(self.emulator, 'wide.yml')), elapsed), flush=True)

    def scaling(self, sizes):
        playbook = os.path.join(self.scratch, 'scale.yml')
        write_playbook(playbook, 1)  # the failing task, then one debug task
        with_env = self.with_env(self.emulator.url)
        for hosts, repeat in sizes:
            inventory = os.path.join(self.scratch, 'scale_hosts_%d' % hosts)
            write_inventory(inventory, hosts)
            for forks in SCALE_FORKS:
                counts = []

                def run_with():
                    call(self.emulator, 'DELETE', '/_emulator/requests')
                    result = run_playbook(self.scratch, inventory, playbook, with_env, forks)
                    counts.append(callback_requests(self.emulator))
                    return result

                pairs = Pairs(repeat, lambda: run_playbook(self.scratch, inventory, playbook, self.base_env, forks),
                              run_with)
                # the most requests of any run with the callback (they differ only with timing)
                log = max(counts, key=len)
                kinds = collections.Counter(request_kind(entry) for entry in log)
                pushed = sum(entry.get('event_count') or 0 for entry in log if request_kind(entry) == 'push')
                print('callback scaling: hosts=%d forks=%d without=%.2fs with=%.2fs ratio=%.3f requests=%d (%s); '
                      '%s; alarms pushed=%d of %d, spool entries=%d; %s'
                      % (hosts, forks, min(pairs.without), min(pairs.with_), pairs.ratio, len(log),
                         ' '.join('%s=%d' % item for item in sorted(kinds.items())), pairs.cpu(), pushed,
                         len(failing_hosts(hosts)), spool_contents(self.spool_dir)[0], pairs.spread()), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=2, help='runs per side for figures (a) to (c); the best counts')
    parser.add_argument('--tasks', type=int, default=TASKS,
                        help='debug tasks of the playbook of figures (a) to (c), plus the failing one; the 2 s '
                             'delays of (b) only hide in runs long enough (the first version used 20)')
    parser.add_argument('--quick', action='store_true', help='skip the 1,000-host scaling size')
    args = parser.parse_args()
    sizes = [size for size in SCALE_SIZES if not (args.quick and size[0] >= 1000)]

    started = time.monotonic()
    print('load average before: %s' % loadavg(), flush=True)
    with collection_tree(), tempfile.TemporaryDirectory(prefix='aom-callback-bench.') as scratch:
        bench = Bench(scratch, args.repeat, args.tasks)
        try:
            bench.start_emulator()
            bench.overhead()
            bench.wide()
            bench.scaling(sizes)
        finally:
            bench.stop_emulator()
    print('load average after: %s; bench runtime %.0fs' % (loadavg(), time.monotonic() - started), flush=True)


if __name__ == '__main__':
    main()
