#!/usr/bin/env python3
"""Benchmarks of the Python package (BENCHMARKS.md, "Python package"):

1. the overhead of a Python call against the CLI for the same config: `sgdlab.run` (dict in,
   numpy arrays out), `sgdlab._native.run` (JSON text in and out) and `sgdlab run -` as a
   process, for a tiny run (overhead-dominated) and a 10^7-sample one (compute-dominated);
2. the wall time of one sweep on a dask LocalCluster of 1 and 2 worker processes
   (one thread each), against the local sweep on all cores.

    .venv/bin/python python/benches/bench_python.py --cli target/python/sgdlab

(`cargo build --profile python --bin sgdlab` builds the CLI with the wheel's optimisation.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time

import sgdlab
from sgdlab import _native

TINY = {"d": 64, "steps": 10, "seed": 1}
MEDIUM = {"d": 1024, "steps": 10000, "seed": 1}  # n_b = d: 1.0e7 samples
SWEEP = {"d": 1024, "mu": [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2], "seeds": [0, 1, 2, 3], "max_steps": 10**6}


def timed(call, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True, help="path of the sgdlab binary")
    args = parser.parse_args()
    for name, config, repeat in [("tiny (d = 64, 10 steps)", TINY, 50), ("1e7 samples (d = 1024, 1e4 steps)", MEDIUM, 5)]:
        text = json.dumps(config)
        py = timed(lambda: sgdlab.run(config), repeat)
        native = timed(lambda: _native.run(text), repeat)
        cli = timed(lambda: subprocess.run([args.cli, "run", "-"], input=text, text=True, capture_output=True, check=True), repeat)
        print(f"{name}: sgdlab.run {py * 1e3:.2f} ms, _native.run {native * 1e3:.2f} ms, CLI process {cli * 1e3:.2f} ms (median of {repeat})")

    from dask.distributed import Client, LocalCluster

    start = time.perf_counter()
    local = sgdlab.sweep(SWEEP)
    print(f"sweep of {len(local['points'])} jobs (d = 1024, 7 mu x 4 seeds x 2 protocols), local on all cores: {time.perf_counter() - start:.2f} s")
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            sgdlab.sweep({**SWEEP, "seeds": [0]}, client=client, progress=False)  # warm the workers
            start = time.perf_counter()
            result = sgdlab.sweep(SWEEP, client=client, progress=False)
            wall = time.perf_counter() - start
            assert result == local
            print(f"  on {workers} dask worker(s): {wall:.2f} s (equal to the local sweep)")


if __name__ == "__main__":
    main()
