#!/usr/bin/env bash
# make screenshots: regenerates every PNG in screenshots/ from live runs (TUI in tmux, GUI under Xvfb).
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
bash scripts/screenshots-tui.sh "$BUILD"
bash scripts/screenshots-gui.sh "$BUILD"
