#!/usr/bin/env bash
# Quick start, command two: installs what leadq needs, builds the dev preset (Debug with
# AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors) and runs every test.
# Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev "$@"
