#!/usr/bin/env bash
# Launches the depthcast server: builds what is missing or stale (server jar, web page), then runs it.
# Defaults: 127.0.0.1:8080, embedded relief model, --backend auto. All flags: scripts/serve.sh --help
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

jar=server/target/depthcast-server.jar
if [[ ! -f $jar || -n $(find pom.xml server/pom.xml server/src/main -newer "$jar" -print -quit) ]]; then
  echo "serve.sh: building the server (mvn package)…" >&2
  mvn -q -B -DskipTests -pl server -am package >&2
fi

if [[ ! -f web/dist/index.html || -n $(find web/src web/index.html web/package.json -newer web/dist/index.html -print -quit 2>/dev/null) ]]; then
  if command -v npm >/dev/null; then
    echo "serve.sh: building the page (npm ci && npm run build)…" >&2
    (cd web && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build) >&2
  else
    echo "serve.sh: npm not found: serving the API without the page (install Node.js to build web/)" >&2
  fi
fi

java_opts=(${JAVA_OPTS:-})
# Memory caps (docs/security.md): without them the JVM sizes its heap from the machine's RAM and
# keeps what an attack or a burst made it take. Heap 1 GiB and 512 MiB of direct buffers (Netty's
# socket buffers come from there) are ~10x what 16 clients need; JAVA_OPTS with -Xmx/-XX:MaxDirect…
# overrides either. ONNX Runtime's and libwebrtc's native memory is outside both.
[[ " ${java_opts[*]} " == *" -Xmx"* ]] || java_opts+=(-Xmx${DEPTHCAST_HEAP:-1g})
[[ " ${java_opts[*]} " == *"MaxDirectMemorySize"* ]] || java_opts+=(-XX:MaxDirectMemorySize=${DEPTHCAST_DIRECT:-512m})
# Java 22+ warns (and later refuses) native access without this; the WebRTC, ONNX Runtime and CUDA bindings need it.
if [[ $(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p') -ge 22 ]]; then
  java_opts+=(--enable-native-access=ALL-UNNAMED)
fi
exec java "${java_opts[@]}" -jar "$jar" --web-root "$root/web/dist" "$@"
