"""Sweeps on a dask.distributed cluster: one task per (protocol, mu, seed) job."""

from __future__ import annotations

import json
import uuid
from typing import Any, Callable, Optional

from . import _native


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(progress: Optional[bool], total: int):
    """A tqdm bar (tqdm.auto: a widget in notebooks) unless ``progress`` is False; with
    ``progress=None`` only when tqdm is installed."""
    if progress is False:
        return _NoProgress()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress:
            raise ImportError("progress=True needs tqdm (pip install tqdm)") from None
        return _NoProgress()
    return tqdm(total=total, desc="sgdlab sweep", unit="job")


def sweep_on_cluster(
    client: Any,
    config_json: str,
    force: bool,
    retries: int,
    progress: Optional[bool],
    on_point: Optional[Callable[[int, dict], None]],
) -> dict:
    """The sweep of ``config_json`` with its jobs as tasks of ``client``'s cluster; see
    :func:`sgdlab.sweep`."""
    from dask.distributed import as_completed

    from . import _run_job

    jobs = _native.jobs(config_json, force)
    tag = uuid.uuid4().hex[:12]
    futures = [
        client.submit(_run_job, job, key=f"sgdlab-job-{tag}-{i}", pure=False, retries=retries)
        for i, job in enumerate(jobs)
    ]
    index = {future.key: i for i, future in enumerate(futures)}
    points: list = [None] * len(jobs)
    bar = _progress_bar(progress, len(jobs))
    try:
        for future in as_completed(futures):
            i = index[future.key]
            points[i] = future.result()
            if on_point is not None:
                on_point(i, points[i])
            bar.update(1)
    finally:
        bar.close()
        # nothing is left to do after a normal end; after an error or Ctrl-C, free the cluster
        client.cancel([f for f in futures if not f.done()])
    return json.loads(_native.assemble(config_json, json.dumps(points, allow_nan=False)))
