"""Fixtures for the EDA source tests: a real emulator process per test."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from eda_support import SOURCE, connection_args, emulator_client

from aom_emulator.process import EmulatorProcess


@pytest.fixture
def emulator(tmp_path):
    with EmulatorProcess(tmp_path / "aom.db") as process:
        yield process
    process.close()


@pytest.fixture
def aom(emulator):
    """The collection's client on the emulator, to raise and clear alarms as a test needs."""
    return emulator_client(emulator.url)


@pytest_asyncio.fixture
async def run_source():
    """Start ``main`` as a task (as ansible-rulebook does); every task is cancelled at the end."""
    tasks = []

    def start(queue, url, **args):
        task = asyncio.create_task(SOURCE["main"](queue, connection_args(url, **args)))
        tasks.append(task)
        return task

    yield start
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
