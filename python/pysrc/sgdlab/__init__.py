"""Online SGD Lab in Python: the Rust engine of the lab and of the ``sgdlab`` command line.

Configs are dicts with exactly the JSON schema of the command line (README: "run config
schema", "sweep config schema"); they are passed as JSON to the same strict reader, so an
invalid key or value raises :class:`ConfigError` (a ``ValueError``) with the CLI's message,
naming the field and its valid range::

    import sgdlab
    out = sgdlab.run({"d": 1024, "loss": "correlation", "steps": 5000, "seed": 1})
    out["M"].shape            # (T, p, k) numpy array; also out["Q"] (T, p, p), "steps", "risk"
    out["config"]             # the resolved config (nb_resolved, gamma_resolved, ...)
    sgdlab.theory({...})      # the overlap recursion, same schema
    sgdlab.sweep({...})       # {"config", "estimated_cost", "points", "summaries"}, as `sgdlab sweep`
    sgdlab.sweep({...}, client=dask_client)   # the same points, jobs on a Dask cluster
    sgdlab.sweep_frame({...}) # the points as a pandas DataFrame

Same config and seed, same numbers: a run here is bit-identical to ``sgdlab run`` of the same
config. Calls release the GIL while they compute and stop on Ctrl-C (``KeyboardInterrupt``)
within a fraction of a second. Warnings of a run (``out["warnings"]``) are also issued as
:class:`SgdlabWarning`.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Callable, Mapping, Optional

import numpy as np

from . import _native
from ._native import ConfigError

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "SgdlabWarning",
    "run",
    "theory",
    "sweep",
    "sweep_frame",
    "presets",
    "preset",
    "__version__",
]

#: Keys of a run's (or theory's) output that become numpy arrays: ``steps`` (T,) integers,
#: ``M`` (T, p, k), ``Q`` (T, p, p) and ``risk`` (T,) floats (non-finite values as NaN); and,
#: for a spiked covariance with free directions, ``R`` (T, p, m): the overlaps with them.
TRAJECTORY_KEYS = ("steps", "M", "Q", "risk")


class SgdlabWarning(UserWarning):
    """A run's setting whose result cannot mean much (the output's ``warnings``)."""


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(
        f"config: {type(value).__name__} values cannot be written as JSON; "
        "use numbers, strings, booleans, lists and dicts"
    )


def _config_json(config: Mapping[str, Any]) -> str:
    """The JSON text of a config dict (numpy scalars and arrays allowed)."""
    if not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a dict (the JSON schema of the CLI), got {type(config).__name__}"
        )
    try:
        return json.dumps(config, allow_nan=False, default=_json_default)
    except ValueError as e:  # NaN or infinity: JSON has no such numbers
        raise ConfigError(f"(document): {e}; every number must be finite") from None


def _with_arrays(output: dict) -> dict:
    """Turns the trajectory lists of one output into numpy arrays, in place."""
    output["steps"] = np.asarray(output["steps"], dtype=np.uint64)
    for key in ("M", "Q", "risk"):
        # JSON writes non-finite numbers as null: NaN here
        output[key] = np.asarray(output[key], dtype=np.float64)
    if "R" in output:
        # overlaps with a spiked covariance's free directions: (T, p, m)
        output["R"] = np.asarray(output["R"], dtype=np.float64)
    for message in output.get("warnings", ()):
        warnings.warn(message, SgdlabWarning, stacklevel=3)
    return output


def _trajectories(output: dict) -> dict:
    for one in output["runs"] if "runs" in output else [output]:
        _with_arrays(one)
    return output


def run(config: Mapping[str, Any], *, force: bool = False) -> dict:
    """Simulates ``config`` (the schema of ``sgdlab run``: one run, or ``{"runs": [...]}``
    whose entries run in parallel) and returns its output as a dict, trajectories as numpy
    arrays (:data:`TRAJECTORY_KEYS`). ``force=True`` runs above the cost budget (the CLI's
    ``--force``). Raises :class:`ConfigError` for an invalid config."""
    return _trajectories(json.loads(_native.run(_config_json(config), force)))


def theory(config: Mapping[str, Any], *, force: bool = False) -> dict:
    """The overlap recursion of ``config`` (a run config plus ``terms``; ``sgdlab theory``),
    from the simulation's initial overlaps, in the output schema of :func:`run`."""
    return _with_arrays(json.loads(_native.theory(_config_json(config), force)))


def sweep(
    config: Mapping[str, Any],
    client: Any = None,
    *,
    force: bool = False,
    retries: int = 3,
    progress: Optional[bool] = None,
    on_point: Optional[Callable[[int, dict], None]] = None,
) -> dict:
    """Runs the batch-size sweep ``config`` (the schema of ``sgdlab sweep``) and returns
    ``{"config", "estimated_cost", "points", "summaries"}``, exactly the CLI's output.

    Without ``client`` the jobs run on all cores of this machine. With a
    ``dask.distributed.Client`` every (protocol, mu, seed) job is a task of that cluster:
    points come back as they finish (``on_point(index, point)`` is called for each, and a
    tqdm progress bar is shown when tqdm is installed, unless ``progress=False``), a task
    that fails or whose worker is lost is retried (``retries`` times; lost workers' tasks
    are rescheduled by Dask), and the result is the same as the local sweep's, point for
    point (each job is seeded on its own)."""
    text = _config_json(config)
    if client is None:
        return json.loads(_native.sweep(text, force))
    from ._dask import sweep_on_cluster

    return sweep_on_cluster(client, text, force, retries, progress, on_point)


def sweep_frame(config_or_result: Mapping[str, Any], client: Any = None, **options: Any):
    """The points of a sweep as a pandas DataFrame (one row per job, the columns of
    ``sgdlab sweep --csv``; ``weak_recovery_step`` as pandas' nullable ``Int64``, ``<NA>`` and
    ``theta`` NaN for censored runs). Give a sweep config (run with :func:`sweep` and ``client``,
    ``options``) or the result of :func:`sweep`."""
    import pandas as pd

    result = config_or_result
    if "points" not in result:
        result = sweep(config_or_result, client, **options)
    frame = pd.DataFrame.from_records(result["points"])
    if "weak_recovery_step" in frame:
        # whole steps, <NA> for censored runs (theta is NaN for them)
        frame["weak_recovery_step"] = frame["weak_recovery_step"].astype("Int64")
    return frame


def presets() -> list:
    """The lab's presets (the paper's figures) as dicts ``{"id", "title", "explanation"}``."""
    return [
        {"id": i, "title": t, "explanation": e} for i, t, e in _native.presets()
    ]


def preset(preset_id: str) -> dict:
    """The run config ``{"runs": [...]}`` of a preset's panels (``sgdlab run --preset ID``),
    ready for :func:`run` or, entry by entry, :func:`theory`."""
    return json.loads(_native.preset_runs(preset_id))


def _jobs(config: Mapping[str, Any], force: bool = False) -> list:
    """The jobs of a sweep (validated, budget checked), each the JSON text of its run config."""
    return _native.jobs(_config_json(config), force)


def _run_job(job: str) -> dict:
    """Runs one job of :func:`_jobs` and returns its point (the task a Dask worker runs)."""
    return json.loads(_native.run_job(job))


def _assemble(config: Mapping[str, Any], points: list) -> dict:
    """The output of the whole sweep ``config`` from one point per job, in job order."""
    return json.loads(
        _native.assemble(_config_json(config), json.dumps(points, allow_nan=False))
    )
