#!/usr/bin/env bash
# The spiked-covariance study of the README ("The spiked covariance"): He3, d = n_b = 1024,
# gamma = 0.01 d^(-1/2), both protocols, seeds 0-7, each run capped at 2e5 steps, for isotropic
# inputs, a spike along the teacher (beta = 0.25, 1, 3) and one orthogonal to it (beta = 3, 30).
# Usage: examples/sweeps/spiked_covariance.sh [OUT_DIR]   (about 3 min on 2 cores)
set -euo pipefail
out=${1:-target/spiked-covariance}
mkdir -p "$out"
sgdlab=${SGDLAB:-target/release/sgdlab}
run() { # name covariance
  local file="$out/$1.json"
  printf '{"d": 1024, "target": "he3", "protocols": ["correlation", "mse"], "mu": [1], "seeds": [0, 1, 2, 3, 4, 5, 6, 7], "lr": {"policy": "optimal", "gamma0": 0.01}, "max_steps": 200000, "covariance": %s}\n' "$2" > "$file"
  "$sgdlab" sweep "$file" > "$out/$1.out"
}
run isotropic '{}'
for b in 0.25 1 3; do run "along-$b" "{\"spikes\": [{\"beta\": $b, \"teacher\": [1]}]}"; done
for b in 3 30; do run "orthogonal-$b" "{\"spikes\": [{\"beta\": $b, \"free\": 1}]}"; done
echo "sweeps in $out/*.out (points: protocol, seed, weak_recovery_step)"
