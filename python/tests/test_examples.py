"""The examples reproduce Fig. 1 and Fig. 3 in their --fast configuration (seconds each)."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, out: pathlib.Path) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), str(out), "--fast"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    png = out.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    assert f"wrote {out}" in done.stdout
    return done.stdout


def test_fig1_measures_theta_against_mu(tmp_path):
    out = run_example("fig1_batch_sweep.py", tmp_path / "fig1.png")
    slopes = dict(re.findall(r"^(\w+)\s+fitted slope of median theta on the predicted line: (\S+)$", out, re.M))
    assert set(slopes) == {"mse", "correlation"}
    # theta = l - 1 - mu on the predicted line: slope -1
    for protocol, slope in slopes.items():
        assert -1.25 < float(slope) < -0.75, (protocol, slope)


def test_fig3_three_regimes_simulation_against_recursion(tmp_path):
    out = run_example("fig3_regimes.py", tmp_path / "fig3.png")
    rows = {
        m[0]: (float(m[1]), float(m[2]), float(m[3]))
        for m in re.findall(r"^(noise learning|Saad & Solla line|population flow)\s+(\S+) \(start (\S+)\)\s+(\S+)", out, re.M)
    }
    assert set(rows) == {"noise learning", "Saad & Solla line", "population flow"}
    end, start, theory = rows["noise learning"]
    assert end > start  # nothing learned: the risk rises
    end, start, _ = rows["Saad & Solla line"]
    assert end < 0.3 * start
    end, start, _ = rows["population flow"]
    assert end < 0.9 * start
    for end, _, theory in rows.values():
        assert abs(end - theory) < 0.05 * theory  # the recursion follows the simulations
