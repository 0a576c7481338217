#!/usr/bin/env bash
# The student-activation study of the README ("The student activation"): He3 teacher,
# students he3, tanh, erf and relu, both protocols, mu = 1, 1.5, 2, d = 256, seeds 0-7, over a
# grid of rate prefactors gamma0 (gamma = gamma0 d^-delta*), each run capped at 2e7 samples.
# Usage: examples/sweeps/student_activation.sh [OUT_DIR]   (about 21 min on 2 cores)
set -euo pipefail
out=${1:-target/student-activation}
mkdir -p "$out"
sgdlab=${SGDLAB:-target/release/sgdlab}
run() { # activation gamma0
  local file="$out/$1-$2.json"
  printf '{"d": 256, "target": "he3", "activation": "%s", "protocols": ["correlation", "mse"], "mu": [1, 1.5, 2], "seeds": [0, 1, 2, 3, 4, 5, 6, 7], "lr": {"policy": "optimal", "gamma0": %s}, "max_steps": 100000, "max_samples": 20000000}\n' "$1" "$2" > "$file"
  "$sgdlab" sweep "$file" > "$out/$1-$2.out"
}
for g in 0.003 0.01 0.03 0.1 0.3 1 3 10; do run he3 $g; done
for a in tanh erf; do for g in 0.003 0.01 0.03 0.1 0.3 1 3 10 30 100; do run $a $g; done; done
for g in 0.01 1 100; do run relu $g; done
echo "sweeps in $out/*.out (points: protocol, mu, nb, seed, weak_recovery_step)"
