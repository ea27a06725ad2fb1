#!/usr/bin/env bash
# Install (Debian's `postgresql`), start a local cluster and create the test database; prints the
# URL the store tests read from CHIPCUSTOMS_TEST_PG_URL. Idempotent; needs root.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 30); do pg_isready -q -h localhost && break; sleep 1; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='chipcustoms'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE chipcustoms LOGIN SUPERUSER PASSWORD 'chipcustoms'\"" >&2
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='chipcustoms_test'\"" | grep -q 1 ||
  su postgres -c "createdb -O chipcustoms chipcustoms_test" >&2
echo "postgresql://chipcustoms:chipcustoms@localhost:5432/chipcustoms_test"
