#!/usr/bin/env python3
"""Fig. 3 of arXiv 2406.02157: the three regimes of (delta, mu) for gamma = gamma0 d^-delta,
n_b = d^mu (erf committee, p = k = 2, d = 10^4), simulation against the overlap recursion.

* noise learning (delta + mu < 1): the SGD noise beats the gradient, nothing is learned;
* the Saad & Solla line (delta + mu = 1): the classical ODEs, a plateau set by the noise;
* population flow (delta + mu > 1): gradient flow on the population risk.

The settings are the lab's presets `regime-*` (sgdlab.preset); each panel shows the risk of the
simulations (median and range over seeds) and of the recursion (dashed).

    python examples/fig3_regimes.py fig3.png            # 10^4 steps, 8 seeds
    python examples/fig3_regimes.py fig3.png --fast     # 1500 steps, 2 seeds (seconds)
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import sgdlab  # noqa: E402

REGIMES = ["regime-noise-learning", "regime-saad-solla", "regime-population-flow"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="PNG file to write")
    parser.add_argument("--fast", action="store_true", help="fewer steps and seeds (seconds)")
    args = parser.parse_args()
    steps, seeds = (1500, [1, 2]) if args.fast else (10_000, list(range(1, 9)))

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    print("regime                   sim. risk (median over seeds)   theory risk   at step")
    for ax, preset_id in zip(axes, REGIMES):
        (config,) = sgdlab.preset(preset_id)["runs"]
        config = dict(config, steps=steps, record_points=256)
        sims = sgdlab.run({**config, "runs": [{"seed": s} for s in seeds]})["runs"]
        theory = sgdlab.theory(config)
        # runs share the uniform recording grid; each also records its weak-recovery step, so
        # read every run on the grid of the first
        steps_axis = sims[0]["steps"]
        risks = np.stack([np.interp(steps_axis, s["steps"], s["risk"]) for s in sims])
        median = np.median(risks, axis=0)
        x = np.maximum(steps_axis, 1)
        ax.fill_between(x, risks.min(axis=0), risks.max(axis=0), alpha=0.25, label="simulation, range")
        ax.plot(x, median, label=f"simulation, median of {len(seeds)} seeds")
        ax.plot(np.maximum(theory["steps"], 1), theory["risk"], "k--", label="overlap recursion")
        ax.set_xscale("log")
        ax.set_yscale("log")
        c = theory["config"]
        ax.set_title(
            f"{theory['regime']}\n"
            rf"$n_b$ = {c['nb_resolved']}, $\gamma$ = {c['gamma_resolved']:.3g} "
            rf"($\delta$ = {c['delta_resolved']:g}, $\mu$ = {c['mu_resolved']:.2f})",
            fontsize=9,
        )
        ax.set_xlabel("step")
        print(f"{theory['regime']:24s} {median[-1]:10.4f} (start {median[0]:.4f})      "
              f"{theory['risk'][-1]:10.4f}   {int(steps_axis[-1])}")
    axes[0].set_ylabel("population risk")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
