# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prepare ``~/.ansible/test`` so that ansible-test works on a machine without internet.

Run with the Python of the virtual environment that holds ansible-test
(``.venv/bin/python hack/prepare_offline.py``). It is idempotent and does two things:

1. ansible-test creates every ``--venv`` environment without pip and bootstraps pip with a
   ``get-pip.py`` downloaded from ci-files.testing.ansible.com, which is not reachable here.
   It looks for a cached copy at ``~/.ansible/test/cache/get_pip_<version>.py`` first, so we
   write a small stand-in there: it installs the pinned pip from the package index with this
   venv's pip (``pip --python <new venv>``), falling back to ``ensurepip`` (no network).
   The pinned version is read from the installed ansible-test, never hard-coded.
2. ansible-test always wants an ssh key pair at ``~/.ansible/test/id_rsa``: it runs
   ``ssh-keygen`` to make one, and fails when that program is missing. We create the pair
   beforehand: with ``ssh-keygen`` when present, else with the ``cryptography`` library.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types

MARKER = '# huaweicloud.aom offline get-pip stand-in'

SHIM_TEMPLATE = '''%(marker)s (written by hack/prepare_offline.py)
"""Offline stand-in for get-pip.py.

ansible-test runs this file inside a new virtual environment that has no pip, with pip-install
arguments such as ``pip==24.2 --no-setuptools --no-wheel``. Install the requested pip from the
package index with the pip of the development venv (``pip --python``); if that is gone or
fails, install the pip bundled with Python (ensurepip, no network) and upgrade it if possible.
"""
import os
import subprocess
import sys

OUTER_PYTHON = %(outer)r


def run(cmd):
    return subprocess.call(cmd, stdout=sys.stderr)


def main():
    args = sys.argv[1:]
    packages = [a for a in args if not a.startswith('-')]
    quiet = ['--disable-pip-version-check', '--quiet']
    if os.path.exists(OUTER_PYTHON) and run(
            [OUTER_PYTHON, '-m', 'pip', '--python', sys.executable, 'install'] + quiet + packages) == 0:
        return 0
    sys.stderr.write('get-pip stand-in: falling back to ensurepip\\n')
    if run([sys.executable, '-m', 'ensurepip', '--default-pip']) != 0:
        return 1
    pip = [sys.executable, '-m', 'pip']
    if packages and run(pip + ['install'] + quiet + packages) != 0:
        sys.stderr.write('get-pip stand-in: could not install %%s, keeping the bundled pip\\n'
                         %% ' '.join(packages))
    if '--no-setuptools' in args:
        run(pip + ['uninstall', '--yes'] + quiet + ['setuptools'])
    return 0


if __name__ == '__main__':
    sys.exit(main())
'''


def pinned_pip_version() -> str:
    """Return the pip version that the installed ansible-test bootstraps for this Python."""
    version = '%d.%d' % sys.version_info[:2]
    try:
        from ansible_test._internal.python_requirements import get_venv_packages

        return get_venv_packages(types.SimpleNamespace(version=version))['pip']
    except Exception:  # pylint: disable=broad-exception-caught
        pass
    import ansible_test  # the fallback: read the pin from the source text

    path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(path, encoding='utf-8') as handle:
        match = re.search(r"""\bpip=['"]([0-9][0-9.]*)['"]""", handle.read())
    if not match:
        raise SystemExit('cannot find the pinned pip version in %s' % path)
    return match.group(1)


def write_atomic(path: str, data: bytes, mode: int) -> None:
    """Write a file so that a concurrent reader never sees it half written."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def prepare_get_pip(base: str) -> str:
    """Write the get-pip stand-in unless a real (downloaded) get-pip script is there."""
    version = pinned_pip_version()
    path = os.path.join(base, 'cache', 'get_pip_%s.py' % version.replace('.', '_'))
    if os.path.exists(path):
        with open(path, encoding='utf-8', errors='replace') as handle:
            if MARKER not in handle.readline():
                return path  # a genuine get-pip.py someone downloaded: keep it
    shim = SHIM_TEMPLATE % {'marker': MARKER, 'outer': sys.executable}
    write_atomic(path, shim.encode('utf-8'), 0o644)
    return path


def prepare_ssh_key(base: str) -> str:
    """Create ~/.ansible/test/id_rsa{,.pub} in the format ansible-test itself would."""
    key = os.path.join(base, 'id_rsa')
    pub = key + '.pub'
    if os.path.isfile(key) and os.path.isfile(pub):
        return 'present'
    os.makedirs(base, exist_ok=True)
    for stale in (key, pub):
        if os.path.exists(stale):
            os.unlink(stale)
    if shutil.which('ssh-keygen'):
        subprocess.run(['ssh-keygen', '-m', 'PEM', '-q', '-t', 'rsa', '-N', '', '-f', key],
                       check=True, stdin=subprocess.DEVNULL)
        with open(key, encoding='utf-8') as handle:
            text = handle.read()
        # paramiko wants the traditional header, as ansible-test rewrites it
        text = re.sub(r'(BEGIN|END) PRIVATE KEY', r'\1 RSA PRIVATE KEY', text)
        write_atomic(key, text.encode('utf-8'), 0o600)
        return 'ssh-keygen'
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.TraditionalOpenSSL,
        encryption_algorithm=serialization.NoEncryption(),
    )
    public_ssh = private.public_key().public_bytes(
        encoding=serialization.Encoding.OpenSSH,
        format=serialization.PublicFormat.OpenSSH,
    )
    write_atomic(pub, public_ssh + b' ansible-test\n', 0o644)
    write_atomic(key, private_pem, 0o600)
    return 'cryptography'


def main() -> int:
    base = os.path.expanduser('~/.ansible/test')
    os.makedirs(base, exist_ok=True)
    # several checkouts may run this at once: one at a time, so a key pair always matches
    with open(os.path.join(base, '.huaweicloud-aom-prepare.lock'), 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shim = prepare_get_pip(base)
        how = prepare_ssh_key(base)
    print('prepare_offline: get-pip stand-in %s; ssh key pair: %s' % (shim, how))
    return 0


if __name__ == '__main__':
    sys.exit(main())
