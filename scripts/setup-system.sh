#!/bin/sh
# System packages the test suite needs (idempotent): Debian's Chromium for the browser tests.
set -e
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup-system: chromium missing (run as root: apt-get install -y chromium); browser tests will skip" >&2
  fi
fi
