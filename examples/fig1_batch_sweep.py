#!/usr/bin/env python3
"""Fig. 1 of arXiv 2406.02157, measured: theta = log_d T (steps to weak recovery) against the
batch exponent mu = log_d n_b, for plain (MSE) SGD and correlation-loss SGD on He_3, the median
over seeds with quartiles, against the predicted lines theta = l - 1 - mu (correlation loss up
to mu = l - 1; plain SGD up to mu = l/2, then the plateau l/2 - 1).

    python examples/fig1_batch_sweep.py fig1.png            # d = 1024, 11 seeds (minutes)
    python examples/fig1_batch_sweep.py fig1.png --fast     # d = 64, 3 seeds (seconds)
    python examples/fig1_batch_sweep.py fig1.png --scheduler tcp://host:8786   # on a Dask cluster
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import sgdlab  # noqa: E402

FULL = {
    "d": 1024,
    "target": "he3",
    "protocols": ["mse", "correlation"],
    "mu": [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0],
    "seeds": list(range(11)),
    "max_steps": 1_000_000,
}
FAST = dict(FULL, d=64, seeds=[0, 1, 2], max_steps=50_000)


def predicted_theta(protocol: str, mu: np.ndarray, l: int) -> np.ndarray:
    """The paper's exponent of T = d^theta at batch n_b = d^mu (information exponent l >= 3)."""
    if protocol == "correlation":
        return np.maximum(l - 1 - mu, 0.0)
    return np.where(mu <= l / 2, l - 1 - mu, l / 2 - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="PNG file to write")
    parser.add_argument("--fast", action="store_true", help="small d and few seeds (seconds)")
    parser.add_argument("--scheduler", help="address of a dask.distributed scheduler to run on")
    args = parser.parse_args()
    config = FAST if args.fast else FULL
    client = None
    if args.scheduler:
        from dask.distributed import Client

        client = Client(args.scheduler)
    result = sgdlab.sweep(config, client=client)
    # the information exponent of the target, as the engine computes it
    l = sgdlab.run({"d": config["d"], "target": config["target"], "steps": 1})["config"][
        "information_exponent"
    ]

    fig, ax = plt.subplots(figsize=(6, 4.2))
    mu_line = np.linspace(min(config["mu"]), max(config["mu"]), 200)
    print(f"d = {config['d']}, l = {l}, seeds {config['seeds']}")
    print("protocol     mu   median theta  [q1, q3]       censored  slope")
    for protocol, color in zip(config["protocols"], ["tab:blue", "tab:orange"]):
        rows = [s for s in result["summaries"] if s["protocol"] == protocol]
        mu = np.array([s["mu_resolved"] for s in rows])
        med = np.array([np.nan if s["median_theta"] is None else s["median_theta"] for s in rows])
        q1 = np.array([np.nan if s["theta_q1"] is None else s["theta_q1"] for s in rows])
        q3 = np.array([np.nan if s["theta_q3"] is None else s["theta_q3"] for s in rows])
        ok = np.isfinite(med)
        # the fit covers the predicted line: mu <= l - 1 (correlation loss), mu <= l/2 (mse)
        on_line = ok & (mu <= (l - 1 if protocol == "correlation" else l / 2) + 1e-9)
        slope = np.polyfit(mu[on_line], med[on_line], 1)[0] if on_line.sum() >= 2 else np.nan
        for s, m, a, b in zip(rows, med, q1, q3):
            print(f"{protocol:11s} {s['mu']:4.2f}   {m:6.3f}       [{a:.3f}, {b:.3f}]   {s['censored_runs']}/{s['runs']}")
        print(f"{protocol:11s} fitted slope of median theta on the predicted line: {slope:.3f}")
        ax.errorbar(
            mu[ok], med[ok], yerr=[med[ok] - q1[ok], np.nan_to_num(q3[ok] - med[ok])],
            fmt="o", color=color, capsize=3, label=f"{protocol} (median, quartiles)",
        )
        ax.plot(mu_line, predicted_theta(protocol, mu_line, l), "--", color=color, alpha=0.7,
                label=f"{protocol}: predicted exponent (T up to a constant)")
    ax.set_xlabel(r"$\mu = \log_d n_b$")
    ax.set_ylabel(r"$\theta = \log_d T$")
    ax.set_title(f"He$_{l}$, d = {config['d']}, {len(config['seeds'])} seeds")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
