#!/usr/bin/env bash
# Quick start, command one: installs what leadq needs, builds the release preset and runs the
# main job (`leadq demo`) on a fresh data set in ./demo. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
./build/release/apps/leadq/leadq demo --out demo "$@"
