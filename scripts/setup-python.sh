#!/usr/bin/env bash
# Python set-up of Online SGD Lab, idempotent, pinned versions, packages from PyPI only:
#   1. a virtual environment .venv at the repository root (python3 -m venv; Python >= 3.11),
#   2. the pinned tools and libraries below (skipped when already at these versions),
#   3. the `sgdlab` package built from ./python and installed into it (`pip install ./python`,
#      maturin as the build backend; cargo rebuilds only what changed).
# Used by `make test-python`; afterwards `.venv/bin/python -c "import sgdlab"` works.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SGDLAB_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
export PATH="$HOME/.cargo/bin:$PATH"

PINNED=(
    "maturin==1.16.0"
    "numpy==2.4.6"
    "pandas==3.1.1"
    "dask[distributed]==2026.8.0"
    "distributed==2026.8.0"
    "matplotlib==3.11.2"
    "pytest==9.2.0"
    "tqdm==4.70.1"
)

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup-python: $PYTHON is $("$PYTHON" --version 2>&1); Python >= 3.11 is needed (numpy 2.4, pandas 3.1)" >&2
    exit 1
fi
if ! command -v cargo >/dev/null; then
    echo "setup-python: cargo is needed to build the package (run scripts/setup.sh, or install rustup)" >&2
    exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "setup-python: creating $VENV"
    if ! "$PYTHON" -m venv "$VENV"; then
        echo "setup-python: '$PYTHON -m venv' failed; on Debian install python3-venv (apt-get install python3-venv)" >&2
        exit 1
    fi
fi
# the venv first on PATH: the build backend runs the venv's maturin
export PATH="$VENV/bin:$PATH"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

# install the pinned set only when something is missing or at another version
if ! "$VENV/bin/python" - "${PINNED[@]}" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    name = name.split("[")[0]
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
EOF
then
    echo "setup-python: installing ${PINNED[*]}"
    "${PIP[@]}" install --quiet "${PINNED[@]}"
fi

# The package: the documented `pip install ./python`. --no-build-isolation uses the pinned
# maturin of the venv instead of fetching one per build; the build is in place, so cargo's
# cache in target/ is reused (only changed crates rebuild).
echo "setup-python: building and installing ./python (sgdlab)"
"${PIP[@]}" install --quiet --no-build-isolation --no-deps --force-reinstall "$ROOT/python"
"$VENV/bin/python" -c 'import sgdlab; print("setup-python: sgdlab", sgdlab.__version__, "from", sgdlab.__file__)'
