# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check that an execution environment built the documented way gets the modules' libraries.

Run with the Python of ``.venv`` (it holds ansible-builder and ansible-core):
``.venv/bin/python hack/ee_check.py``. Offline, no container runtime:

1. builds the collection tarball from a copy of the checkout;
2. takes the ``execution-environment.yml`` example of README.md, with the collection taken from
   that tarball instead of Galaxy, and runs ``ansible-builder create`` on it;
3. does what the generated Containerfile's galaxy and builder stages do, outside a container:
   installs the collection from the generated ``requirements.yml`` into a temporary collections
   path, then runs the context's own ``introspect.py`` with the Containerfile's arguments;
4. asks pip which requirements the resulting ``requirements.txt`` holds (a dry run against
   ``.venv``, where they are installed) and fails unless they are exactly those of the
   collection's ``requirements.txt``: ``requests`` and ``voluptuous`` with their versions.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
EXAMPLE_START = '# execution-environment.yml'
SATISFIED = re.compile(r'^Requirement already satisfied: (\S+) in ', re.MULTILINE)


class CheckFailed(Exception):
    """What went wrong, for one line on stderr."""


def run(args, **kwargs):
    """Run a command; its output, or CheckFailed with the output when it fails."""
    process = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                             **kwargs)
    if process.returncode:
        raise CheckFailed('%s exited with %d:\n%s' % (shlex.join(args), process.returncode, process.stdout))
    return process.stdout


def readme_example():
    """The ``execution-environment.yml`` example of README.md (a yaml block starting with its name)."""
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as readme:
        blocks = re.findall(r'^```yaml\n(.*?)^```$', readme.read(), re.MULTILINE | re.DOTALL)
    examples = [block for block in blocks if block.startswith(EXAMPLE_START)]
    if len(examples) != 1:
        raise CheckFailed('README.md has %d yaml blocks starting with %r; expected one' % (len(examples), EXAMPLE_START))
    return examples[0]


def build_tarball(tmp):
    """The collection tarball, built from a copy of the checkout."""
    source = os.path.join(tmp, 'src')
    run([os.path.join(ROOT, 'hack', 'copy-checkout.sh'), source])
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', os.path.join(tmp, 'dist')],
        cwd=source)
    [tarball] = [os.path.join(tmp, 'dist', name) for name in os.listdir(os.path.join(tmp, 'dist'))]
    return tarball


def containerfile_command(containerfile, pattern):
    """The one RUN command of the Containerfile that matches ``pattern``, split into words."""
    commands = [line[len('RUN '):] for line in containerfile.splitlines()
                if line.startswith('RUN ') and re.search(pattern, line)]
    if len(commands) != 1:
        raise CheckFailed('the Containerfile has %d RUN lines matching %r; expected one' % (len(commands), pattern))
    return shlex.split(commands[0])


def introspected_requirements(tmp, tarball):
    """The requirements.txt the builder stage would install, from the README's example."""
    definition = readme_example()
    if not re.search(r'^ *- name: huaweicloud\.aom$', definition, re.MULTILINE):
        raise CheckFailed("README.md's execution-environment.yml does not list '- name: huaweicloud.aom'")
    definition = re.sub(r'^( *)- name: huaweicloud\.aom$',
                        lambda match: '%s- name: %s\n%s  type: file' % (match.group(1), tarball, match.group(1)),
                        definition, flags=re.MULTILINE)
    with open(os.path.join(tmp, 'execution-environment.yml'), 'w', encoding='utf-8') as handle:
        handle.write(definition)
    context = os.path.join(tmp, 'context')
    run([os.path.join(BIN, 'ansible-builder'), 'create', '--file', os.path.join(tmp, 'execution-environment.yml'),
         '--context', context, '--output-filename', 'Containerfile'])
    with open(os.path.join(context, 'Containerfile'), encoding='utf-8') as handle:
        containerfile = handle.read()
    build = os.path.join(context, '_build')

    # galaxy stage: the collections of the generated requirements.yml, into a collections path
    galaxy = containerfile_command(containerfile, r'ansible-galaxy collection install .*-r requirements\.yml')
    if '--collections-path' not in galaxy:
        raise CheckFailed('the galaxy stage does not install into a collections path: %s' % shlex.join(galaxy))
    collections = os.path.join(tmp, 'collections')
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml',
         '--collections-path', collections], cwd=build)

    # builder stage: the context's introspect.py with the Containerfile's arguments
    introspect = containerfile_command(containerfile, r'/output/scripts/introspect\.py introspect')
    words = []
    for word in introspect:
        word = word.replace('$PYCMD', sys.executable).replace('/output/scripts/', os.path.join(build, 'scripts', ''))
        words.append(word.replace('=/tmp/src/', '=%s/' % os.path.join(tmp, 'builder')))
    run(words + [collections], cwd=build)
    written = os.path.join(tmp, 'builder', 'requirements.txt')
    if not os.path.exists(written):
        raise CheckFailed('introspect.py wrote no requirements.txt: the execution environment gets no Python library')
    return written


def pip_requirements(requirements_file):
    """The requirements pip reads from a file, as pip prints them (dry run, no index)."""
    output = run([sys.executable, '-m', 'pip', 'install', '--dry-run', '--no-index', '--no-deps',
                  '--disable-pip-version-check', '-r', requirements_file])
    return sorted(SATISFIED.findall(output))


def main():
    tmp = tempfile.mkdtemp(prefix='huaweicloud-aom-ee-check.')
    try:
        tarball = build_tarball(tmp)
        written = introspected_requirements(tmp, tarball)
        with open(written, encoding='utf-8') as handle:
            print('ee-check: requirements.txt of the builder stage:\n' + handle.read().rstrip())
        got = pip_requirements(written)
        wanted = pip_requirements(os.path.join(ROOT, 'requirements.txt'))
        if got != wanted:
            raise CheckFailed('the execution environment would install %s; the collection needs %s (requirements.txt)'
                              % (', '.join(got) or 'nothing', ', '.join(wanted)))
        print('ee-check: OK: the execution environment installs %s' % ', '.join(got))
    except CheckFailed as error:
        print('ee-check: FAILED: %s' % error, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
