#!/usr/bin/env bash
# Installs pgbouncer (the Debian package) when it is missing. The tests start their own
# pgbouncer process in transaction mode in front of the test server; under CI=true they
# fail rather than skip without it. Needs root (apt-get) only when it is not installed.
set -euo pipefail
if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null
# The package's own service is not wanted: the tests run pgbouncer themselves.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet pgbouncer 2>/dev/null; then
    systemctl stop pgbouncer || true
fi
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]
