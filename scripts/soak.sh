#!/usr/bin/env bash
# Soak test (docs/security.md, "Soak"): starts a server through scripts/serve.sh (its documented heap
# and direct-memory caps) with a token, runs N churning load clients (scripts/loadtest: each vanishes
# without DELETE and reconnects) and a hostile mix from 127.0.0.2 beside them, samples the server's
# RSS, heap, heap after GC, direct memory, threads and descriptors, and asserts they plateau under
# load and come back near the idle baseline after it (the heap as a full collection leaves it, taken
# after the end samples: the idle server's latest collection may have been a young one that left
# old-generation garbage counted). Exit 0 when every check passes.
#   scripts/soak.sh                                   # the CI version: 4 clients, ~3 minutes
#   nohup scripts/soak.sh --duration 32m --out /tmp/soak-long > /tmp/soak-long.log 2>&1 &
# Every other flag goes to the driver (dev.depthcast.loadtest.Soak; --help lists them), e.g.
# --clients, --fps, --size, --churn, --sample, --hostile-interval, --growth-pct, --rss-return-mb.
# Server flags: SOAK_SERVER_ARGS (default: --backend cpu, the embedded model); heap/direct caps:
# DEPTHCAST_HEAP / DEPTHCAST_DIRECT as for serve.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

out=soak-out
args=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

jar=scripts/loadtest/target/depthcast-loadtest.jar
if [[ ! -f $jar || ! -f server/target/depthcast-server.jar || -n $(find pom.xml server/pom.xml server/src/main \
      scripts/client/pom.xml scripts/client/src/main scripts/loadtest/pom.xml scripts/loadtest/src/main \
      -newer "$jar" -print -quit) ]]; then
  echo "soak.sh: building the server and the load tester (mvn package)…" >&2
  mvn -q -B -DskipTests -pl scripts/loadtest -am package >&2
  touch "$jar" server/target/depthcast-server.jar
fi

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A fresh token each run, handed over in files (never on a command line, where ps shows it).
token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
umask 077
printf '%s\n' "$token" > "$out/token"
mkdir -p "$out/www" # an empty page root: serve.sh then leaves web/ unbuilt (the page is not what is soaked)
read -r -a server_args <<< "${SOAK_SERVER_ARGS:---backend cpu}"
# Limits sized for the soak: the load clients' vanished sessions count against 127.0.0.1 until the
# server notices they are gone; the hostile mix runs into its own address's limits (127.0.0.2).
scripts/serve.sh --port "$port" --web-root "$out/www" --auth-file "$out/token" --max-clients 48 \
  --max-sessions-per-ip 10 --sessions-per-minute 120 "${server_args[@]}" > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { tail -20 "$out/server.log"; echo "soak.sh: the server did not start"; exit 1; }
  sleep 0.5
done
echo "soak.sh: server pid $server on port $port ($(tr '\0' '\n' < /proc/$server/cmdline | grep -E -- '^-Xmx|^-XX:MaxDirectMemorySize' \
  | tr '\n' ' ')); log $out/server.log" >&2

java_opts=(${JAVA_OPTS:-})
if [[ $(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p') -ge 22 ]]; then
  java_opts+=(--enable-native-access=ALL-UNNAMED)
fi
set +e
DEPTHCAST_TOKEN=$token java "${java_opts[@]}" -cp "$jar" dev.depthcast.loadtest.Soak --pid "$server" \
  --url "http://127.0.0.1:$port" --out "$out" "${args[@]}"
rc=$?
set -e
if [[ $rc != 0 ]]; then
  echo "--- server log (last 30 lines)"; tail -30 "$out/server.log"
fi
exit $rc
