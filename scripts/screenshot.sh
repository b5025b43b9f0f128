#!/usr/bin/env bash
# Retakes README's picture of the page, docs/screenshot.png (and docs/screenshot.sha256, the hash of
# the page's sources it shows): builds the page, starts a server on a free port with the CPU backend
# as scripts/test.sh does, and has headless Chromium (fake camera) stream to it until point clouds
# are drawn. The tests only check whether the picture is stale (web: npm test); this writes it.
#   scripts/screenshot.sh [azimuth,elevation,distance]   turn the view first (default: the first view)
# Needs: a built server (mvn -B -ntp -pl server -am package -DskipTests), Node.js with web's
# node_modules, Debian's chromium.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jar=server/target/depthcast-server.jar
[[ -f $jar ]] || { echo "screenshot.sh: $jar is missing: build it with mvn -B -ntp -pl server -am package -DskipTests"; exit 1; }
(cd web && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)

log=$(mktemp)
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
java -jar "$jar" --port "$port" --backend cpu --web-root "$root/web/dist" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/stats" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$log"; echo "screenshot.sh: the server died"; exit 1; }
  sleep 0.2
done
if ! (cd web && node screenshot.mjs take "http://127.0.0.1:$port/" "$@"); then
  echo "--- server log"; tail -50 "$log"; exit 1
fi
