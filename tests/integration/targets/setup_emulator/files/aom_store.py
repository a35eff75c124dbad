# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Control of the AOM emulator and checks of what it stores, for the runme.sh targets ($AOM_STORE).

    python aom_store.py URL reset                       forget the request log and the pending faults
    python aom_store.py URL fault JSON                  reset, then inject a fault rule (or a list of rules)
    python aom_store.py URL log                         print the request log (JSON list)
    python aom_store.py URL requests [PATH [STATUS]]    print how many logged requests match
    python aom_store.py URL pushed report|clear         print how many events acknowledged pushes carried
    python aom_store.py URL wait-push [TIMEOUT]         wait until a push was acknowledged (204)
    python aom_store.py URL check PROJECT [options]     check the stored alarms:
        --active ID[,ID...]           each resource_id has exactly one active alarm
        --absent ID[,ID...]           no alarm (active or not) for these resource_ids
        --active-prefix PREFIX=N      exactly N active alarms whose resource_id starts with PREFIX,
                                      all distinct (an identity missing or doubled fails)
        --playbook NAME=HOST[,HOST]   callback alarms: exactly these hosts have one active alarm of
                                      playbook NAME (and no other host has one)
        --report-only                 print a failure on stdout and exit 0 (for a playbook lookup)

Whatever the options, ``check`` fails when two active alarms share an identity (metadata
minus event_severity, as the service defines it). It exits 1 naming what is wrong.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
import urllib.parse
import urllib.request


def call(url, path, method='GET', body=None, **query):
    suffix = '?' + urllib.parse.urlencode(query) if query else ''
    data = None if body is None else body.encode()
    request = urllib.request.Request(url + path + suffix, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


REPORT_ONLY = False  # --report-only: say what failed on stdout and exit 0 (for a playbook's lookup)


def fail(reason, rows=None):
    out = sys.stdout if REPORT_ONLY else sys.stderr
    print('STORE CHECK FAILED: %s' % reason, file=out)
    if rows is not None:
        print(json.dumps(rows, indent=1, sort_keys=True)[:20000], file=out)
    sys.exit(0 if REPORT_ONLY else 1)


def identity_of(row):
    metadata = dict(row['metadata'])
    metadata.pop('event_severity', None)
    return json.dumps(metadata, sort_keys=True)


def check(url, project, args):
    rows = call(url, '/_emulator/events', project_id=project)['events']
    active = [row for row in rows if row['state'] == 'active']
    by_identity = collections.defaultdict(list)
    for row in active:
        by_identity[identity_of(row)].append(row)
    doubled = dict((key, found) for key, found in by_identity.items() if len(found) > 1)
    if doubled:
        fail('%d identit(ies) with more than one active alarm' % len(doubled), list(doubled.values())[:5])

    def active_of(resource_id):
        return [row for row in active if row['metadata'].get('resource_id') == resource_id]

    for resource_id in ','.join(args.active).split(','):
        if resource_id and len(active_of(resource_id)) != 1:
            fail('%s: expected exactly one active alarm, found %d' % (resource_id, len(active_of(resource_id))),
                 [row for row in rows if row['metadata'].get('resource_id') == resource_id])
    for resource_id in ','.join(args.absent).split(','):
        found = [row for row in rows if row['metadata'].get('resource_id') == resource_id]
        if resource_id and found:
            fail('%s: expected no alarm at all, found %d' % (resource_id, len(found)), found)
    for spec in args.active_prefix:
        prefix, expected = spec.rsplit('=', 1)
        mine = [row for row in active if row['metadata'].get('resource_id', '').startswith(prefix)]
        distinct = set(row['metadata']['resource_id'] for row in mine)
        if len(mine) != int(expected) or len(distinct) != int(expected):
            fail('%s*: expected %s distinct active alarms, found %d rows for %d resources'
                 % (prefix, expected, len(mine), len(distinct)))
    for spec in args.playbook:
        playbook, hosts = spec.split('=', 1)
        expected = sorted(host for host in hosts.split(',') if host)
        mine = [row for row in active if row['metadata'].get('playbook') == playbook]
        found = sorted(row['metadata']['resource_id'] for row in mine)
        if found != expected:
            fail('playbook %s: expected one active alarm for each of %s, found them for %s'
                 % (playbook, expected, found), mine)
    print('store ok: %d rows, %d active, no identity doubled' % (len(rows), len(active)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('url')
    parser.add_argument('command', choices=['reset', 'fault', 'log', 'requests', 'pushed', 'wait-push', 'check'])
    parser.add_argument('args', nargs='*')
    parser.add_argument('--active', action='append', default=[])
    parser.add_argument('--absent', action='append', default=[])
    parser.add_argument('--active-prefix', action='append', default=[])
    parser.add_argument('--playbook', action='append', default=[])
    parser.add_argument('--report-only', action='store_true')
    args = parser.parse_intermixed_args()
    global REPORT_ONLY
    REPORT_ONLY = args.report_only
    url = args.url.rstrip('/')
    if args.command == 'reset':
        call(url, '/_emulator/requests', 'DELETE')
        call(url, '/_emulator/faults', 'DELETE')
    elif args.command == 'fault':
        call(url, '/_emulator/requests', 'DELETE')
        call(url, '/_emulator/faults', 'DELETE')
        call(url, '/_emulator/faults', 'POST', args.args[0])
    elif args.command == 'log':
        print(json.dumps(call(url, '/_emulator/requests')['requests']))
    elif args.command == 'requests':
        logged = call(url, '/_emulator/requests')['requests']
        if args.args:
            logged = [entry for entry in logged if args.args[0] in entry['path']]
        if len(args.args) > 1:
            logged = [entry for entry in logged if str(entry['status']) == args.args[1]]
        print(len(logged))
    elif args.command == 'pushed':
        clear = args.args[0] == 'clear'
        print(sum(entry['event_count'] for entry in call(url, '/_emulator/requests')['requests']
                  if entry['path'].endswith('/push/events') and entry['status'] == 204
                  and (entry['query'].get('action') == 'clear') == clear))
    elif args.command == 'wait-push':
        deadline = time.monotonic() + float(args.args[0] if args.args else 60)
        while time.monotonic() < deadline:
            try:
                logged = call(url, '/_emulator/requests')['requests']
            except OSError:
                logged = []
            if any(entry['path'].endswith('/push/events') and entry['status'] == 204 for entry in logged):
                return
            time.sleep(0.02)
        fail('no push was acknowledged in time')
    else:
        check(url, args.args[0], args)


if __name__ == '__main__':
    main()
