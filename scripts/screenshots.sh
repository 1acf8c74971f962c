#!/usr/bin/env bash
# Refreshes the READMEs' pictures of the page, docs/screenshots/page-en.png
# and page-fr.png: a server on a manual clock with the page and the
# classroom view, and a headless chromium driven through chromedriver
# (Debian's chromium and chromium-driver) that watches the board, converts,
# and watches a `bank batch` and a `bank session` (tests/screenshots.rs).
#
# Usage: scripts/screenshots.sh [FOLDER]   (default docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
folder="${1:-docs/screenshots}"
export CARGO_INCREMENTAL=0
# The page is embedded in bank-server: rebuild it first when web/ changed
# (cd web && npm ci && npm run build).
cargo build --quiet -p bank -p bank-server
cargo run --quiet -p bank-tests --bin screenshots -- "$folder"
