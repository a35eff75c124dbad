"""Command line: ``python -m aom_emulator --host 127.0.0.1 --port 0 --db FILE [...]``.

Prints exactly one line, ``aom-emulator listening on http(s)://HOST:PORT``, once it accepts
connections; stops cleanly (exit 0) on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import ssl
import sys
from pathlib import Path

from aiohttp import web

from .accounts import AccountError, Accounts
from .app import create_app

SHUTDOWN_GRACE_SECONDS = 1.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m aom_emulator", description="Local Huawei Cloud AOM emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--db", required=True, help="SQLite database file (created if absent)")
    parser.add_argument("--credentials", help="JSON accounts file; default: the built-in demo account")
    parser.add_argument("--tls-cert", help="PEM certificate: serve https")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    parser.add_argument("--port-file", help="write the listening port to this file once ready")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return args


def _tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _write_port_file(path: str, port: int) -> None:
    # Write then rename, so a reader polling the file never sees it half-written.
    temporary = Path(path).with_name(Path(path).name + ".tmp")
    temporary.write_text(f"{port}\n", encoding="utf-8")
    os.replace(temporary, path)


async def serve(args: argparse.Namespace) -> None:
    accounts = Accounts.from_file(args.credentials) if args.credentials else Accounts.demo()
    tls = _tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    # Signal handlers go in first: a supervisor may signal as soon as it reads the banner.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # In-flight requests (a long injected delay, say) get a moment to finish on stop, not a minute.
    runner = web.AppRunner(create_app(args.db, accounts), access_log=None,
                           shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
    await runner.setup()
    try:
        site = web.TCPSite(runner, args.host, args.port, ssl_context=tls)
        await site.start()
        port = runner.addresses[0][1]
        host = f"[{args.host}]" if ":" in args.host else args.host
        if args.port_file:
            _write_port_file(args.port_file, port)
        print(f"aom-emulator listening on {'https' if tls else 'http'}://{host}:{port}", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except AccountError as exc:
        print(f"aom-emulator: {exc}", file=sys.stderr)
        return 2
    except (OSError, ssl.SSLError, sqlite3.Error) as exc:
        print(f"aom-emulator: cannot start: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
