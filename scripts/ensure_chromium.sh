#!/usr/bin/env bash
# Make sure a headless Chromium is installed (the docs-site test renders the dbt docs in it).
# Idempotent: does nothing when chromium is on PATH. Installs Debian's `chromium` otherwise
# (needs root, or sudo, and the Debian package registry).
set -euo pipefail

for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then
        echo "chromium: $(command -v "$candidate")"
        exit 0
    fi
done

if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing and this is not a Debian/Ubuntu system: install Chromium (or Chrome) yourself" >&2
    exit 1
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "chromium is missing: run as root: apt-get install -y chromium" >&2; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium
echo "chromium: $(command -v chromium)"
