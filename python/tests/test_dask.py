"""Sweeps on a dask.distributed LocalCluster (two worker processes) equal the CLI's sweep, also
when a worker is killed mid-sweep; shards of the CLI merged equal the same sweep."""

from __future__ import annotations

import json
import math
import os
import signal

import distributed
import pandas as pd
import pytest

import sgdlab


SWEEP = {
    "d": 256,
    "protocols": ["mse", "correlation"],
    "mu": [0.5, 1, 1.5],
    "seeds": [1, 2, 3, 4],
    "max_steps": 20000,
}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def cli_sweep(run_cli):
    status, stdout, stderr = run_cli(["sweep", "-"], SWEEP)
    assert status == 0, stderr
    return json.loads(stdout)


def test_a_cluster_sweep_equals_the_cli_sweep(client, cli_sweep):
    streamed = []
    result = sgdlab.sweep(
        SWEEP, client=client, progress=False, on_point=lambda i, p: streamed.append((i, p))
    )
    assert result == cli_sweep
    assert len(result["points"]) == 24
    # every point streamed back once, as it finished, with its index in job order
    assert sorted(i for i, _ in streamed) == list(range(24))
    assert all(result["points"][i] == p for i, p in streamed)
    # both workers took jobs
    assert len(client.scheduler_info()["workers"]) == 2


def test_a_killed_worker_loses_no_point(client, cli_sweep):
    pids = list(client.run(os.getpid).values())
    assert len(pids) == 2
    killed = []

    def kill_one_worker(i, point):
        if not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(i)

    result = sgdlab.sweep(SWEEP, client=client, progress=False, on_point=kill_one_worker)
    assert killed
    assert result == cli_sweep
    client.wait_for_workers(2, timeout=60)


def test_progress_bar_and_frame(client, cli_sweep, capsys):
    frame = sgdlab.sweep_frame(SWEEP, client=client, progress=True)
    assert "sgdlab sweep" in capsys.readouterr().err  # tqdm writes to stderr
    assert list(frame.columns) == list(cli_sweep["points"][0].keys())
    assert len(frame) == 24
    assert str(frame["weak_recovery_step"].dtype) == "Int64"
    records = [
        {k: (None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
        for r in frame.to_dict("records")
    ]
    assert records == cli_sweep["points"]
    assert frame["weak_recovery_step"].isna().sum() == sum(p["censored"] for p in cli_sweep["points"])
    # from a result, no new sweep
    assert sgdlab.sweep_frame(cli_sweep).equals(frame)


def test_an_invalid_sweep_fails_before_anything_is_submitted(client):
    with pytest.raises(sgdlab.ConfigError, match=r"^protocols\[1\]: 'mse' is listed twice"):
        sgdlab.sweep({"protocols": ["mse", "mse"]}, client=client)


def test_cli_shards_merged_equal_the_python_sweep(run_cli, tmp_path, cli_sweep):
    files = []
    for i in (1, 2, 3):
        path = tmp_path / f"shard{i}.json"
        status, _, stderr = run_cli(["sweep", "-", "--shard", f"{i}/3", "--out", str(path)], SWEEP)
        assert status == 0, stderr
        files.append(str(path))
    status, stdout, stderr = run_cli(["merge", *files[::-1]])
    assert status == 0, stderr
    assert json.loads(stdout) == sgdlab.sweep(SWEEP) == cli_sweep
