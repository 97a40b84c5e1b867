#!/usr/bin/env bash
# Load benchmark: GET one volunteer and GET a page of 20 as a signed-in coordinator, direct to
# the volunteers service and through the gateway, both on PostgreSQL with RLS (as lacznik_app),
# and PostgreSQL's own ceiling for the same work measured with pgbench in the same run; the
# office card through the gateway with and without a bearer token (what verifying tokens at
# the gateway costs); and the latency of signing in (argon2id).
#
# The machine is shared and noisy, so each measurement runs ROUNDS times, interleaved (direct,
# gateway, database, direct, …), and the summary takes the median of each.
#
# Usage: infra/bench/run.sh            (needs: wrk, pgbench, psql, a PostgreSQL superuser at PG)
# Env:   PG=postgres://postgres@127.0.0.1:5432  DURATION=10s  ROUNDS=3  CONNECTIONS=32  THREADS=2
set -euo pipefail
cd "$(dirname "$0")/../.."

PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=lacznik_bench
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
GW=127.0.0.1:18080
VOL=127.0.0.1:18082
OUT=infra/bench/results/$(date -u +%Y%m%dT%H%M%SZ).txt
mkdir -p infra/bench/results

cargo build --release -q -p lacznik
psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"

export LACZNIK__DATABASE__URL="$PG/$DB"
export LACZNIK__GATEWAY__LISTEN=$GW
export LACZNIK__SERVICES__IDENTITY__LISTEN=127.0.0.1:18081
export LACZNIK__SERVICES__VOLUNTEERS__LISTEN=$VOL
export LACZNIK__SERVICES__NEEDS__LISTEN=127.0.0.1:18083
export LACZNIK__DATABASE__MAX_CONNECTIONS=32
export LACZNIK__TELEMETRY__LOG_FILTER=warn
# Rate limits and revocations in Redis, as in production (REDIS=none: in the process's memory,
# to see what the round trip costs); the office limit out of the way.
if [ "${REDIS:-}" != none ]; then
  export LACZNIK__REDIS__URL=${REDIS:-redis://127.0.0.1:6379/0}
  export LACZNIK__REDIS__KEY_PREFIX="lacznik:bench:$$:"
fi
export LACZNIK__LIMITS__TENANT_REQUESTS=1000000000
export LACZNIK__AUTH__ACCESS_TOKEN_TTL_SECS=7200
target/release/lacznik demo >/dev/null &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://$GW/readyz" >/dev/null && break; sleep 0.2; done

TENANT=$(curl -fs -H 'Host: kielce.localhost' "http://$GW/api/v1/identity/office" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
TOKEN=$(curl -fs -H 'Host: kielce.localhost' -H 'Content-Type: application/json' \
  -d '{"email":"koordynator@kielce.example","password":"Wolontariat-2026"}' \
  "http://$GW/api/v1/identity/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
AUTH="Authorization: Bearer $TOKEN"
VID=$(curl -fs -H 'Host: kielce.localhost' -H "$AUTH" "http://$GW/api/v1/volunteers?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

{
  echo "# Łącznik load benchmark — $(date -u +%FT%TZ)"
  echo "# counters: ${LACZNIK__REDIS__URL:-in memory}"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; PostgreSQL $(psql "$PG/postgres" -Atc 'show server_version')"
  echo "# tenant $TENANT, volunteer $VID, 40 volunteers in the office"
} | tee "$OUT"

run_wrk() { # label, url, headers...
  local label=$1 url=$2; shift 2
  local args=()
  for h in "$@"; do args+=(-H "$h"); done
  echo "## $label" | tee -a "$OUT"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${args[@]}" "$url" | tee -a "$OUT"
}

# The database's ceiling for the same work, as the same role, each in its own transaction.
SCRIPTS=$(mktemp -d)
cat > "$SCRIPTS/one.sql" <<SQL
BEGIN;
SELECT set_config('app.tenant_id', '$TENANT', true);
SELECT tenant_id, id, first_name, last_name, email, phone, birth_date, created_at, updated_at
  FROM volunteers WHERE tenant_id = '$TENANT' AND id = '$VID';
COMMIT;
SQL
cat > "$SCRIPTS/page.sql" <<SQL
BEGIN;
SELECT set_config('app.tenant_id', '$TENANT', true);
SELECT tenant_id, id, first_name, last_name, email, phone, birth_date, created_at, updated_at
  FROM volunteers WHERE tenant_id = '$TENANT' ORDER BY id LIMIT 21;
COMMIT;
SQL
APP_URL=$(echo "$PG/$DB" | sed -E 's#://[^@/]+@#://lacznik_app@#')
run_pgbench() { # script
  echo "## pgbench: $1 (BEGIN; set_config; SELECT; COMMIT) as lacznik_app" | tee -a "$OUT"
  pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "${DURATION%s}" -f "$SCRIPTS/$1.sql" "$APP_URL" 2>&1 \
    | grep -E 'tps|latency|transactions actually' | tee -a "$OUT"
}

# Sequential sign-ins as the demo coordinator: the argon2id verification dominates.
login_latency() {
  python3 - "$GW" <<'PY' | tee -a "$OUT"
import json, statistics, sys, time, urllib.request
body = json.dumps({"email": "koordynator@kielce.example", "password": "Wolontariat-2026"}).encode()
times = []
for _ in range(40):
    req = urllib.request.Request(f"http://{sys.argv[1]}/api/v1/identity/auth/login", data=body,
        headers={"Host": "kielce.localhost", "Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        r.read()
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print("## login: POST /auth/login, 40 sequential sign-ins")
print(f"login latency: p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms")
PY
}

DIRECT=("X-Tenant-Id: $TENANT" "X-Tenant-Slug: kielce" "$AUTH")
for round in $(seq 1 "$ROUNDS"); do
  echo "# round $round" | tee -a "$OUT"
  run_wrk "direct: GET one volunteer" "http://$VOL/api/v1/volunteers/$VID" "${DIRECT[@]}"
  run_wrk "gateway: GET one volunteer" "http://$GW/api/v1/volunteers/$VID" "Host: kielce.localhost" "$AUTH"
  run_pgbench one
  run_wrk "direct: GET page of 20" "http://$VOL/api/v1/volunteers?limit=20" "${DIRECT[@]}"
  run_wrk "gateway: GET page of 20" "http://$GW/api/v1/volunteers?limit=20" "Host: kielce.localhost" "$AUTH"
  run_pgbench page
  run_wrk "gateway: GET office card, no token" "http://$GW/api/v1/identity/office" "Host: kielce.localhost"
  run_wrk "gateway: GET office card, with token" "http://$GW/api/v1/identity/office" "Host: kielce.localhost" "$AUTH"
  login_latency
done
rm -rf "$SCRIPTS"
python3 infra/bench/summarize.py "$OUT" | tee -a "$OUT"
echo "results in $OUT"
