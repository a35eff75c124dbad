# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Search files for known secret values; print where each was found, masked, and exit 1 on a hit.

    python find_secrets.py [--exclude PATH]... NAME=ENVVAR... -- PATH...

Each secret is read from the environment variable ENVVAR (never from the command line, which
may be logged). A PATH may be a file or a directory (searched recursively, binary files
included). Besides the whole value, a distinctive middle part of it is searched for, so a
truncated or re-wrapped value is caught as well; and for a value with a newline or a non-ASCII
character, its JSON and Python escaped forms and each long plain part of it.
"""

from __future__ import annotations

import json
import os
import re
import sys


def mask(secret):
    return '%s...(%d chars)' % (secret[:4], len(secret))


def needles(secret):
    found = [secret.encode()]
    # as JSON and Python write a value with a newline or a non-ASCII character in a message
    found.extend(form.encode() for form in (json.dumps(secret)[1:-1], repr(secret)[1:-1]) if form != secret)
    # the plain parts of such a value, each long enough to be its own
    runs = re.findall(r'[\x21-\x7e]{16,}', secret)
    found.extend(run.encode() for run in runs if run != secret)
    if len(secret) >= 24:
        middle = len(secret) // 2
        found.append(secret[middle - 6:middle + 6].encode())  # a core no other text contains
    return found


def files_under(paths):
    for path in paths:
        if os.path.isdir(path):
            for directory, dummy, names in os.walk(path):
                for name in sorted(names):
                    yield os.path.join(directory, name)
        elif os.path.exists(path):
            yield path
        else:
            print('find_secrets: %s does not exist' % path, file=sys.stderr)
            sys.exit(2)


def main(argv):
    excluded, secrets, paths = set(), {}, []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == '--exclude':
            excluded.add(os.path.realpath(args.pop(0)))
        elif arg == '--':
            paths = args
            break
        else:
            name, variable = arg.split('=', 1)
            if not os.environ.get(variable):
                print('find_secrets: %s is empty' % variable, file=sys.stderr)
                sys.exit(2)
            secrets[name] = os.environ[variable]
    hits, scanned = [], 0
    for path in files_under(paths):
        if os.path.realpath(path) in excluded or not os.path.isfile(path):
            continue
        with open(path, 'rb') as handle:
            data = handle.read()
        scanned += 1
        for name, secret in secrets.items():
            if any(needle in data for needle in needles(secret)):
                hits.append((name, secret, path))
    for name, secret, path in hits:
        print('SECRET LEAKED: %s (%s) found in %s' % (name, mask(secret), path))
    print('find_secrets: %d file(s) scanned for %d secret(s): %d hit(s)' % (scanned, len(secrets), len(hits)))
    return 1 if hits else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
