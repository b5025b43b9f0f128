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
  touch "$jar" # maven leaves an up-to-date jar untouched; its time must pass the check above next time
fi

# --web-root defaults to this checkout's page; a --web-root given here wins (passing it twice is an error).
web_root=(--web-root "$root/web/dist")
for arg in "$@"; do
  [[ $arg == --web-root || $arg == --web-root=* ]] && web_root=()
done

# The page is built only when it is the one served: with a --web-root of its own (scripts/soak.sh)
# the caller serves something else.
if [[ ${#web_root[@]} -gt 0 ]] && [[ ! -f web/dist/index.html || -n $(find web/src web/index.html web/package.json -newer web/dist/index.html -print -quit 2>/dev/null) ]]; then
  if command -v npm >/dev/null; then
    echo "serve.sh: building the page (npm ci && npm run build)…" >&2
    (cd web && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build) >&2
  else
    echo "serve.sh: npm not found: serving the API without the page (install Node.js to build web/)" >&2
  fi
fi

# Run a private copy of the jar, named by its content: a rebuild (scripts/test.sh, mvn package)
# rewrites server/target/depthcast-server.jar in place, and a JVM still reading classes from the
# old file then fails (ClassNotFoundException on the next new session). The copy sits beside the
# original because its manifest finds the dependencies in lib/ next to it (version-named files a
# rebuild leaves alone). Older copies are removed: a server still running from one keeps its
# open file (Linux frees it on exit).
run_jar=server/target/depthcast-server-run-$(sha1sum "$jar" | cut -c1-16).jar
if [[ ! -f $run_jar ]]; then
  cp "$jar" "$run_jar.$$" && mv "$run_jar.$$" "$run_jar"
fi
find server/target -maxdepth 1 -name 'depthcast-server-run-*.jar' ! -path "$run_jar" -delete 2>/dev/null || true


# The GPU backend (engines/tensorrt) joins the classpath only where a GPU driver is: the CPU
# server never holds a GPU jar. Built here when missing or stale.
classpath=$run_jar
if [[ -e /dev/nvidiactl || -e /proc/driver/nvidia/version ]] && [[ " $* " != *" --backend cpu "* && " $* " != *" --backend simulated "* ]]; then
  gpu_jar=engines/tensorrt/target/depthcast-tensorrt.jar
  if [[ ! -f $gpu_jar || -n $(find engines/tensorrt/src/main engines/tensorrt/pom.xml -newer "$gpu_jar" -print -quit) ]]; then
    echo "serve.sh: building the GPU backend (engines/tensorrt)…" >&2
    mvn -q -B -DskipTests -pl engines/tensorrt -am package >&2
    touch "$gpu_jar"
  fi
  gpu_run=engines/tensorrt/target/depthcast-tensorrt-run-$(sha1sum "$gpu_jar" | cut -c1-16).jar
  [[ -f $gpu_run ]] || { cp "$gpu_jar" "$gpu_run.$$" && mv "$gpu_run.$$" "$gpu_run"; }
  classpath+=:$gpu_run
fi

java_opts=(${JAVA_OPTS:-})
# Memory caps (docs/security.md): without them the JVM sizes its heap from the machine's RAM and
# keeps what an attack or a burst made it take. Heap 1 GiB and 512 MiB of direct buffers (Netty's
# socket buffers come from there) are ~10x what 16 clients need; JAVA_OPTS with -Xmx/-XX:MaxDirect…
# overrides either. ONNX Runtime's and libwebrtc's native memory is outside both.
[[ " ${java_opts[*]} " == *" -Xmx"* ]] || java_opts+=(-Xmx${DEPTHCAST_HEAP:-1g})
[[ " ${java_opts[*]} " == *"MaxDirectMemorySize"* ]] || java_opts+=(-XX:MaxDirectMemorySize=${DEPTHCAST_DIRECT:-512m})
# An idle server collects nothing, so G1 would keep the heap a burst made it commit: a concurrent
# cycle after 30 s without a collection lets it give that back (docs/security.md, "Soak").
[[ " ${java_opts[*]} " == *"G1PeriodicGCInterval"* ]] || java_opts+=(-XX:G1PeriodicGCInterval=30000)
# Native memory freed after a load (ONNX Runtime's arena, given back 30 s after the last batch;
# libwebrtc's buffers) stays in glibc's malloc arenas unless trimmed: the JVM trims every 10 s.
# The flag exists from JDK 17.0.9 and 21.0.1; older JDKs run without it.
if [[ " ${java_opts[*]} " != *"TrimNativeHeapInterval"* ]] && java -XX:TrimNativeHeapInterval=10000 -version > /dev/null 2>&1; then
  java_opts+=(-XX:TrimNativeHeapInterval=10000)
fi
# Java 22+ warns (and later refuses) native access without this; the WebRTC, ONNX Runtime and CUDA bindings need it.
if [[ $(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p') -ge 22 ]]; then
  java_opts+=(--enable-native-access=ALL-UNNAMED)
fi
# libwebrtc's native threads print "VM attach current thread failed" / "Failed to attach thread N"
# on stdout when the process exits (they try to call into a JVM that is going away: harmless, and
# not preventable from Java, it happens even after every WebRTC object is closed). Those two lines
# are dropped; the filter ignores Ctrl-C so that everything the server prints while stopping,
# its shutdown line included, still gets out.
noise='^(VM attach current thread failed|Failed to attach thread [0-9]+)$'
exec java "${java_opts[@]}" -cp "$classpath" dev.depthcast.ServeCommand "${web_root[@]}" "$@" \
  > >(trap '' INT TERM; exec grep --line-buffered -v -E "$noise") \
  2> >(trap '' INT TERM; exec grep --line-buffered -v -E "$noise" >&2)
