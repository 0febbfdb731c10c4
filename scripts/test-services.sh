#!/usr/bin/env bash
# Installs and starts what the test suite talks to: Debian packages for the local test servers
# (listed one per line in scripts/apt/*.txt), PostgreSQL on 127.0.0.1:5432 with a `test`
# database, and Redis on 127.0.0.1:6379. Idempotent: a no-op when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "need root to run: $*" >&2; return 1; fi; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wanted=$(cat scripts/apt/*.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \n' '\n' | sort -u)
port_open 5432 || wanted="$wanted postgresql"
port_open 6379 || wanted="$wanted redis-server"
missing=()
for pkg in $wanted; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  # Packaged daemons must not start on their default ports: tests start their own instances.
  policy_created=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    policy_created=1
  fi
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  [ "$policy_created" -eq 1 ] && as_root rm -f /usr/sbin/policy-rc.d
fi

if ! port_open 5432; then
  cluster=$(ls /etc/postgresql | head -n1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  for _ in $(seq 1 30); do port_open 5432 && break; sleep 1; done
fi
# The tests connect as postgres over TCP without a password, to a database named test.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  hba=$(as_root find /etc/postgresql -name pg_hba.conf | head -n1)
  printf 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' | as_root tee -a "$hba" >/dev/null
  as_root sed -i '0,/^host/s//host all all 127.0.0.1\/32 trust\nhost/' "$hba"
  cluster=$(ls /etc/postgresql | head -n1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster" main reload
fi
psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname='test'" \
  | grep -q 1 || psql -h 127.0.0.1 -U postgres -d postgres -c 'create database test' >/dev/null

if ! port_open 6379; then
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/watchwire-tests.log
  for _ in $(seq 1 30); do port_open 6379 && break; sleep 1; done
fi
echo "test services ready"
