#!/usr/bin/env bash
# Quick start, command one: installs what leadq needs (Debian packages, the dashboard's npm
# packages), builds the release preset and runs the main job: `leadq serve` on an embedded
# SQLite workspace (./demo-workspace) seeded with the synthetic demo data on first run. Open the
# printed address in a browser and sign in with the printed token; Ctrl-C stops the server.
# Idempotent: a second run keeps the workspace and prints a fresh token.
# LEADQ_LISTEN overrides the address (default 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
exec ./build/release/apps/leadq/leadq serve --demo --workspace demo-workspace \
  --listen "${LEADQ_LISTEN:-127.0.0.1:8080}" "$@"
