"""The Python API: schema errors, numpy shapes, bit-identity with the CLI, Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import sgdlab
from sgdlab import _native

RUN = {"d": 256, "p": 2, "k": 3, "target": "he3", "loss": "correlation", "steps": 300, "seed": 7}


@pytest.mark.parametrize(
    "config, field",
    [
        ({"d": 1}, "d: must be an integer in [4, 1000000000]"),
        ({"dd": 64}, "dd"),
        ({"steps": "10"}, "steps: expected a whole number in [1, 1e9]"),
        ({"batch": {"n0": 1, "mu": 20}}, "batch.mu"),
        ({"runs": [{"seed": 1}, {"eta": 2}]}, "runs[1].eta"),
        ({"target": "HE3"}, "target"),
    ],
)
def test_invalid_configs_raise_the_cli_message(config, field, run_cli):
    with pytest.raises(ValueError) as error:
        sgdlab.run(config)
    assert isinstance(error.value, sgdlab.ConfigError)
    message = str(error.value)
    assert message.startswith(field), message
    status, stdout, stderr = run_cli(["run", "-"], config)
    assert status == 2 and stdout == ""
    assert stderr.strip() == f"error: {message}"


def test_sweep_and_theory_errors_name_the_field(run_cli):
    for call, command, config in [
        (sgdlab.sweep, "sweep", {"mu": [0.5, 0.5]}),
        (sgdlab.sweep, "sweep", {"seeds": []}),
        (sgdlab.sweep, "sweep", {"d": 64, "max_steps": 0}),
        (sgdlab.theory, "theory", {"terms": {"noise": 1}}),
        (sgdlab.theory, "theory", {"update": "sphere"}),
    ]:
        with pytest.raises(sgdlab.ConfigError) as error:
            call(config)
        status, _, stderr = run_cli([command, "-"], config)
        assert status == 2
        assert stderr.strip() == f"error: {error.value}"
    with pytest.raises(sgdlab.ConfigError, match=r"^mu\[1\]: 0.5 is listed twice"):
        sgdlab.sweep({"mu": [0.5, 0.5]})


def test_the_budget_is_the_cli_budget_and_force_lifts_it():
    big = {"d": 4096, "nb": 1e6, "steps": 10**7, "sampler": "exact"}
    with pytest.raises(sgdlab.ConfigError, match=r"^nb, steps, sampler: the estimated cost"):
        sgdlab.run(big)
    with pytest.raises(sgdlab.ConfigError, match=r"^d, mu, seeds, max_steps, max_samples"):
        sgdlab.sweep({"d": 10**6, "mu": [1], "seeds": [1], "max_steps": 10**9, "sampler": "exact"})


def test_inputs_that_are_not_json_configs():
    with pytest.raises(TypeError, match="config must be a dict"):
        sgdlab.run('{"d": 64}')
    with pytest.raises(sgdlab.ConfigError, match=r"^\(document\).*finite"):
        sgdlab.run({"noise": float("nan")})
    with pytest.raises(TypeError, match="object values cannot be written as JSON"):
        sgdlab.run({"d": object()})
    # numpy scalars are numbers
    out = sgdlab.run({"d": np.int64(64), "noise": np.float64(1e-3), "steps": 5})
    assert out["config"]["d"] == 64 and out["config"]["noise"] == 1e-3


def test_run_gives_numpy_trajectories_of_the_documented_shapes():
    out = sgdlab.run(RUN)
    T = len(out["steps"])
    assert T == 301  # every step is recorded below record_points
    assert out["steps"].dtype == np.uint64 and out["steps"][-1] == 300
    assert out["M"].shape == (T, 2, 3) and out["M"].dtype == np.float64
    assert out["Q"].shape == (T, 2, 2)
    assert out["risk"].shape == (T,)
    assert np.allclose(np.diagonal(out["Q"], axis1=1, axis2=2), 1.0)
    config = out["config"]
    assert config["nb_resolved"] == 256 and config["information_exponent"] == 3
    assert config["loss"] == "correlation" and config["sampler_resolved"] == "exact"
    assert out["steps_done"] == 300 and out["diverged"] is False
    theory = sgdlab.theory(RUN)
    assert theory["M"].shape == (T, 2, 3) and theory["Q"].shape == (T, 2, 2)
    assert theory["regime"] is not None
    # the recursion starts from the simulation's initial overlaps
    assert np.array_equal(theory["M"][0], out["M"][0])


def test_runs_lists_and_presets():
    out = sgdlab.run({"d": 128, "steps": 20, "runs": [{"seed": 1}, {"seed": 2, "p": 3}]})
    assert [r["M"].shape for r in out["runs"]] == [(21, 1, 1), (21, 3, 1)]
    ids = [p["id"] for p in sgdlab.presets()]
    assert "regime-saad-solla" in ids and "fig2-mu1" in ids
    fig = sgdlab.preset("regime-saad-solla")
    assert fig["runs"][0]["nb"] == 100 and fig["runs"][0]["target"] == "erf"
    with pytest.raises(sgdlab.ConfigError, match="unknown id 'nope'"):
        sgdlab.preset("nope")


def test_warnings_are_python_warnings():
    with pytest.warns(sgdlab.SgdlabWarning, match="noise-dominated"):
        out = sgdlab.run({"d": 64, "gamma": 1e12, "steps": 3})
    assert out["warnings"]


BIT_IDENTITY = [
    ("run", RUN),
    # clt sampler: advanced step by step (one Gaussian per step)
    ("run", {"d": 1024, "nb": 1e7, "sampler": "clt", "steps": 40, "seed": 3}),
    # full sampler: batches split across slices
    ("run", {"d": 512, "sampler": "full", "nb": 3000, "steps": 30, "seed": 5}),
    ("run", {"d": 128, "loss": "adaptive", "steps": 200, "runs": [{"seed": 1}, {"seed": 2}]}),
    ("theory", {"d": 512, "target": "erf", "p": 2, "k": 2, "steps": 200, "seed": 4}),
    ("sweep", {"d": 64, "mu": [0.5, 1, 1.5], "seeds": [1, 2, 3], "max_steps": 5000}),
    ("sweep", {"d": [32, 64], "mu": [1], "seeds": [1, 2], "max_steps": 5000}),
]


@pytest.mark.parametrize("command, config", BIT_IDENTITY)
def test_python_equals_the_cli_bit_for_bit(command, config, run_cli):
    status, stdout, stderr = run_cli([command, "-"], config)
    assert status == 0, stderr
    text = getattr(_native, command)(json.dumps(config))
    assert text == stdout  # the same JSON text, number for number
    # and through the public API: arrays hold exactly the CLI's numbers
    public = getattr(sgdlab, command)(config)
    expected = json.loads(stdout)
    for got, want in zip(public.get("runs", [public]), expected.get("runs", [expected])):
        if command == "sweep":
            assert got == want
            continue
        for key in ("M", "Q", "risk"):
            assert np.array_equal(got[key], np.asarray(want[key], dtype=np.float64))
            assert got[key].tobytes() == np.asarray(want[key], dtype=np.float64).tobytes()
        assert got["steps"].tolist() == want["steps"]
        assert got["config"] == want["config"]


def test_a_sweep_over_d_gives_points_with_d_and_a_d_column():
    config = {"d": [32, 64, 128], "protocols": ["correlation"], "mu": [1],
              "seeds": [0, 1, 2], "max_steps": 50000}
    out = sgdlab.sweep(config)
    assert out["config"]["d"] == [32, 64, 128]
    assert [p["d"] for p in out["points"]] == [32, 32, 32, 64, 64, 64, 128, 128, 128]
    assert [(s["d"], s["runs"]) for s in out["summaries"]] == [(32, 3), (64, 3), (128, 3)]
    (fit,) = out["d_scaling"]
    assert fit["protocol"] == "correlation" and fit["d"] == [32, 64, 128]
    assert fit["theta_asymptotic"] == 1.0 and fit["seed_fits"] + fit["censored_seeds"] == 3
    frame = sgdlab.sweep_frame(out)
    assert frame["d"].tolist() == [32, 32, 32, 64, 64, 64, 128, 128, 128]
    # the median fit is the least-squares line through the medians of T at each d
    medians = frame.groupby("d")["weak_recovery_step"].median()
    slope, intercept = np.polyfit(np.log(medians.index.to_numpy(float)),
                                  np.log(medians.to_numpy(float)), 1)
    assert abs(slope - fit["theta_fit"]) < 1e-9
    assert abs(np.exp(intercept) - fit["prefactor"]) < 1e-9 * fit["prefactor"]
    # a bad list names the entry and the range, as the CLI does
    with pytest.raises(sgdlab.ConfigError, match=r"^d\[1\]: must be an integer in \[4, 1000000000\]"):
        sgdlab.sweep({"d": [64, 2]})


INTERRUPTED = textwrap.dedent(
    """
    import sys, time, sgdlab
    print("start", flush=True)
    t = time.monotonic()
    try:
        sgdlab.{call}
    except KeyboardInterrupt:
        print("interrupted after", time.monotonic() - t, flush=True)
        sys.exit(3)
    print("finished", flush=True)
    """
)


@pytest.mark.parametrize(
    "call",
    [
        # about a minute of stepping (exact sampler, 1e6-sample batches)
        'run({"d": 4096, "nb": 1e6, "steps": 20000, "sampler": "exact"}, force=True)',
        'sweep({"d": 4096, "mu": [1.5, 1.75], "seeds": [1, 2, 3, 4], "max_steps": 100000, "eta": 1.0})',
    ],
)
def test_ctrl_c_stops_a_long_call_within_a_second(call):
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED.format(call=call)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "start"
    time.sleep(1.0)
    assert child.poll() is None, "the call ended before it was interrupted"
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    waited = time.monotonic() - sent
    assert child.returncode == 3, (out, err)
    assert "interrupted after" in out
    assert waited < 1.0, f"the call took {waited:.2f} s to stop"


def test_overlaps_with_a_spike_free_direction_are_arrays():
    config = {"d": 64, "p": 2, "steps": 50, "seed": 3, "loss": "correlation",
              "covariance": {"spikes": [{"beta": 3, "free": 1}]}}
    out = sgdlab.run(config)
    T = len(out["steps"])
    assert out["R"].shape == (T, 2, 1) and out["R"].dtype == np.float64
    theory = sgdlab.theory(config)
    assert theory["R"].shape == (len(theory["steps"]), 2, 1)
    # the recursion starts from the simulation's initial overlaps, R included
    assert np.array_equal(theory["R"][0], out["R"][0])
    assert "R" not in sgdlab.run({"d": 64, "steps": 5})
