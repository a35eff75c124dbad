"""Fixtures for the emulator tests (helpers are in emulator_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from emulator_support import DEMO_ACCOUNTS, Api, FakeClock

from aom_emulator.accounts import Accounts
from aom_emulator.process import EmulatorProcess
from aom_emulator.app import create_app


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def accounts_data() -> dict:
    return DEMO_ACCOUNTS


@pytest_asyncio.fixture
async def api(tmp_path, clock, accounts_data):
    app = create_app(str(tmp_path / "aom.db"), Accounts.from_data(accounts_data), clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Api(client)


@pytest.fixture
def start_emulator():
    started: list[EmulatorProcess] = []

    def start(db: Path, *extra_args: str, **kwargs) -> EmulatorProcess:
        process = EmulatorProcess(db, *extra_args, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()
