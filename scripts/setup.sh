#!/usr/bin/env bash
# Installs every tool Online SGD Lab needs, at pinned versions, idempotently:
# a tool already present at the right version is skipped.
#   - Rust target wasm32-unknown-unknown, components clippy and rustfmt (make lint)
#   - wasm-bindgen-cli, exactly the version of the `wasm-bindgen` crate in Cargo.lock
#   - trunk 0.21.14
#   - Debian's chromium + chromium-driver (headless browser tests)
#   - npm packages of tests/e2e (playwright-core; binaryen@132 which provides wasm-opt 132)
# Nothing here downloads a prebuilt binary outside the package registries.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

TRUNK_VERSION=0.21.14
log() { printf '[setup] %s\n' "$*" >&2; }

# 1. wasm32 target
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding rust component $component"
    rustup component add "$component"
  fi
done

# 2. wasm-bindgen-cli at the Cargo.lock version
if [ ! -f Cargo.lock ]; then cargo generate-lockfile; fi
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)"
if [ -z "$WB_VERSION" ]; then log "cannot read wasm-bindgen version from Cargo.lock"; exit 1; fi
have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_wb" != "$WB_VERSION" ]; then
  log "installing wasm-bindgen-cli $WB_VERSION (found: ${have_wb:-none}); takes about 5 minutes"
  # Not --locked: one locked dependency is missing from the registry mirror.
  cargo install wasm-bindgen-cli --version "=$WB_VERSION" --force
fi

# 3. trunk
have_trunk="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_trunk" != "$TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (found: ${have_trunk:-none}); takes about 6 minutes"
  cargo install trunk --version "=$TRUNK_VERSION" --locked --force
fi

# 4. chromium + chromedriver (Debian's matching pair)
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  log "installing chromium and chromium-driver from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# 5. npm packages (playwright-core for end-to-end tests, binaryen for wasm-opt 132)
if [ ! -x tests/e2e/node_modules/.bin/wasm-opt ] || [ ! -d tests/e2e/node_modules/playwright-core ] \
   || ! tests/e2e/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  log "installing npm packages of tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
log "all tools present"
