# Online SGD Lab. Two commands matter:
#   make serve   build the app and serve it on http://127.0.0.1:8080
#   make test    lint, then run every test suite (native, Python, wasm in headless Chromium,
#                end-to-end)
#   make site PUBLIC_URL=/some/path/   the static site for hosting under that sub-path
# Both first run scripts/setup.sh, which installs the pinned tools it finds missing.

SHELL := /bin/bash
export PATH := $(CURDIR)/tests/e2e/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON ?= $(CURDIR)/tests/webdriver.json
export WASM_BINDGEN_TEST_TIMEOUT ?= 120
# Sub-path the end-to-end test serves the site under (the hosted demo lives under one too).
E2E_PUBLIC_URL ?= /online-sgd-lab/demo/
WASM_FEATURES := --target wasm32-unknown-unknown --no-default-features --features web

.PHONY: setup serve build site site-files lint test test-native test-python test-wasm test-e2e bench bench-wasm bench-ui bench-explorer explorer-data clean

setup:
	@bash scripts/setup.sh

serve: setup
	@echo "Online SGD Lab: building, then serving on http://127.0.0.1:8080/"
	trunk serve --release --address 127.0.0.1 --port 8080

build: setup
	trunk build --release

# The static site for hosting under PUBLIC_URL (a sub-path such as /online-sgd-lab/ for GitHub
# Pages, or / for a domain of its own): plain files, every asset local, no special headers.
PUBLIC_URL ?= /
SITE_DIST ?= target/site
site: setup site-files

# The same without scripts/setup.sh (for CI runners that install trunk, wasm-bindgen-cli and
# the npm wasm-opt themselves: .github/workflows/pages.yml).
site-files:
	trunk build --release --public-url $(PUBLIC_URL) --dist $(SITE_DIST)
	@echo "make site: the site for $(PUBLIC_URL) is in $(SITE_DIST)/ ($$(du -sh $(SITE_DIST) | cut -f1)); copy its files to the server so that $(PUBLIC_URL) serves $(SITE_DIST)/index.html"

# Lints, all warnings as errors: clippy on the native targets (library, CLI, tests, benches)
# and on the browser build, formatting, and rustdoc (broken links; `missing_docs` of
# Cargo.toml's [lints] fires in the clippy runs). Each step checks only, builds nothing to run.
lint: setup
	cargo clippy --all-targets -- -D warnings
	cargo clippy -p sgdlab-python --all-targets -- -D warnings
	cargo clippy $(WASM_FEATURES) --bins --lib --test browser_bit_identity --test browser_chart --test browser_benchmark -- -D warnings
	cargo fmt --check
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps

test: setup lint test-native test-python test-wasm test-e2e
	@echo "make test: all suites passed"

test-native:
	cargo test --all-targets
	cargo test --doc

# The Python package: scripts/setup-python.sh (.venv, pinned packages from PyPI, `pip install
# ./python`), then its pytest suite (which also runs examples/ in their --fast configuration).
test-python:
	bash scripts/setup-python.sh
	cargo build --bin sgdlab
	SGDLAB_CLI=$(CURDIR)/target/debug/sgdlab .venv/bin/python -m pytest python/tests -q

test-wasm:
	cargo test $(WASM_FEATURES) --test browser_bit_identity --test browser_chart

test-e2e:
	trunk build --release --public-url $(E2E_PUBLIC_URL) --dist target/e2e-dist
	cd tests/e2e && E2E_DIST=$(CURDIR)/target/e2e-dist E2E_PUBLIC_URL=$(E2E_PUBLIC_URL) node --test

bench:
	cargo bench

# Browser benchmark harness: the wasm build in headless Chromium (prints samples/s).
bench-wasm: setup
	cargo test --release $(WASM_FEATURES) --test browser_benchmark -- --nocapture

# Browser benchmark of the page: first chart, long tasks, redraw time, bundle sizes.
bench-ui: setup
	trunk build --release --public-url $(E2E_PUBLIC_URL) --dist target/e2e-dist
	cd tests/e2e/bench && E2E_DIST=$(CURDIR)/target/e2e-dist E2E_PUBLIC_URL=$(E2E_PUBLIC_URL) node ui-benchmark.mjs

# Browser benchmark of the explorer's worker pool: one sweep on 1..N Web Workers (speed-up).
bench-explorer: setup
	trunk build --release --public-url $(E2E_PUBLIC_URL) --dist target/bench-dist
	cd tests/e2e/bench && E2E_DIST=$(CURDIR)/target/bench-dist E2E_PUBLIC_URL=$(E2E_PUBLIC_URL) node explorer-benchmark.mjs

# The precomputed sweep the explorer opens with (tests/explorer_data.rs checks it against the
# engine): He3, d = 1024, both protocols, mu = 0.5..2, 8 seeds (about a minute on 2 cores).
explorer-data:
	cargo run --release --bin sgdlab -- sweep www/data/explorer-he3-d1024.config.json --out www/data/explorer-he3-d1024.json

clean:
	cargo clean
	rm -rf dist
