"""Shared fixtures: the `sgdlab` command line the Python results are compared with."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli() -> str:
    """Path of the `sgdlab` binary: $SGDLAB_CLI (set by `make test-python`), else built here."""
    path = os.environ.get("SGDLAB_CLI")
    if not path:
        subprocess.run(["cargo", "build", "-q", "--bin", "sgdlab"], cwd=ROOT, check=True)
        path = str(ROOT / "target" / "debug" / "sgdlab")
    assert os.access(path, os.X_OK), f"no sgdlab binary at {path}"
    return path


@pytest.fixture(scope="session")
def run_cli(cli):
    """Runs `sgdlab ARGS` with a config dict on standard input; returns (status, stdout, stderr)."""

    def run(args, config=None):
        done = subprocess.run(
            [cli, *args],
            input=None if config is None else json.dumps(config),
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.returncode, done.stdout, done.stderr

    return run
