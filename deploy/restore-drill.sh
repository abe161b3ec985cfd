#!/usr/bin/env bash
# The backup-and-restore drill (docs/deployment.md, "Backups"), as CI performs it after the smoke test:
#
#   1. pg_dump --format=custom of the database named by DATABASE_URL (as the nightly backup does);
#   2. pg_restore into a new database next to it (<name>_restored), dropped first if it exists;
#   3. manage.py verify_audit on the restored copy: the ledger's hash chain must be intact, and it must hold as
#      many entries as the original.
#
# Usage: DATABASE_URL=postgres://user:password@host:port/name deploy/restore-drill.sh
# PG_BIN may name the directory of pg_dump and pg_restore (they must match the server's major version).
set -euo pipefail

cd "$(dirname "$0")/.."
PY="$(pwd)/.venv/bin/python"
: "${DATABASE_URL:?deploy/restore-drill.sh needs DATABASE_URL=postgres://user:password@host:port/name}"
pg_bin="${PG_BIN:+$PG_BIN/}"
export DJANGO_SETTINGS_MODULE=config.settings

source_url="$DATABASE_URL"
restored_url="$("$PY" -c 'import sys; from urllib.parse import urlsplit; p = urlsplit(sys.argv[1]); print(p._replace(path=p.path + "_restored").geturl())' "$source_url")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

entries() {
    DATABASE_URL="$1" "$PY" manage.py shell --no-imports -c \
        'from audit.models import LedgerEntry; print(LedgerEntry.objects.count())' | tail -n 1
}

echo "restore drill: dump"
"${pg_bin}pg_dump" --format=custom --no-owner --file "$scratch/meritflow.dump" --dbname "$source_url"
echo "restore drill: restore into a new database"
DATABASE_URL="$restored_url" "$PY" deploy/smoke.py create-db
"${pg_bin}pg_restore" --no-owner --exit-on-error --dbname "$restored_url" "$scratch/meritflow.dump"
echo "restore drill: verify the ledger of the restored copy"
DATABASE_URL="$restored_url" "$PY" manage.py verify_audit
original="$(entries "$source_url")"
restored="$(entries "$restored_url")"
if [ "$original" != "$restored" ] || [ "$restored" -eq 0 ]; then
    echo "restore drill: FAILED: $restored ledger entries restored, $original in the original" >&2
    exit 1
fi
echo "restore drill: passed ($restored ledger entries, chain intact)"
