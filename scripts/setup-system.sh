#!/usr/bin/env bash
# System packages the browser tests need (Debian): Chromium and fonts with Vietnamese glyphs.
# Idempotent: does nothing when /usr/bin/chromium is already there. Runs as root (CI, containers);
# otherwise it uses sudo when available.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: no apt-get here; install Chromium at /usr/bin/chromium for the browser tests" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-system: not root and no sudo; install chromium yourself for the browser tests" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
LOCK="-o DPkg::Lock::Timeout=600"
$SUDO apt-get $LOCK update -qq
$SUDO apt-get $LOCK install -y -qq --no-install-recommends chromium fonts-dejavu-core
