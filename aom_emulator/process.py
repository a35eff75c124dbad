"""Run the emulator as a real process, for tests, benchmarks and demos written in Python.

    with EmulatorProcess(db_path) as emulator:
        requests.get(emulator.url + "/_emulator/health")
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from aom_emulator.accounts import password_token_request

REPO_ROOT = Path(__file__).resolve().parent.parent
BANNER = "aom-emulator listening on "


class EmulatorProcess:
    """``python -m aom_emulator`` on a free loopback port; ``url`` is set once it accepts connections.

    Without ``env`` it runs with this environment plus the repository root on PYTHONPATH.
    """

    def __init__(self, db, *extra_args, cwd=REPO_ROOT, env=None, python=sys.executable):
        if env is None:
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
        # stderr goes to a file, not a pipe nobody reads while the server runs (it could fill up).
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [python, "-m", "aom_emulator", "--host", "127.0.0.1", "--port", "0", "--db", str(db), *extra_args],
            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.banner = self.proc.stdout.readline().strip()  # printed once it accepts connections
        if not self.banner.startswith(BANNER):
            self.close()
            raise RuntimeError(f"emulator did not start: {self.banner!r} {self.stderr_text()}")
        self.url = self.banner[len(BANNER):]
        self.port = int(self.url.rsplit(":", 1)[1])

    def demo_token(self, project_name="cn-north-4") -> str:
        """A token of the built-in demo user, scoped to ``project_name``."""
        request = urllib.request.Request(self.url + "/v3/auth/tokens?nocatalog=true", method="POST",
                                         data=json.dumps(password_token_request(project_name)).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:  # nosec: loopback emulator only
            return answer.headers["X-Subject-Token"]

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read()

    def stop(self, signum=signal.SIGTERM, timeout=10) -> int:
        """Send ``signum`` (SIGKILL to test durability) and wait; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        return self.proc.wait(timeout)

    def close(self) -> None:
        """Kill the process if it still runs and release its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        if not self.stderr.closed:
            self.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.proc.poll() is None:
            try:
                self.stop()
            except subprocess.TimeoutExpired:
                pass
        self.close()
