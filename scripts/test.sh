#!/usr/bin/env bash
# depthcast's whole test suite — the command README gives and .ci/run runs.
#   1. generated models match scripts/make-models.py
#   2. CUDA kernels compile with nvcc; their math (host build, g++) matches the golden vectors
#   3. Java: unit tests, webrtc-java end-to-end, loopback load run (mvn verify)
#   3a. CPU engines: FP32 and INT8 ONNX Runtime engines of the small test model built end to end
#      (quantizer in its private Python environment), the server serving the one that matches
#      (scripts/test-cpu-engine.sh)
#   3b. geometry: the ground-truth benchmark's targets — stabilised relative depth holds still, metric depth and
#      the session's field of view give the true points (scripts/geometry-bench.sh --assert)
#   4. web: unit tests, then headless Chromium against a server it starts on a free port (fake
#      camera), and the viewer's controls against a mock server and offline (file://)
#   5. CLI: every bad input ends in one line and a non-zero exit (scripts/test-cli.sh)
#   5b. soak: churning load clients and a hostile mix against a server started with serve.sh's memory
#      caps; RSS, heap, direct memory, threads and FDs must plateau and come back (scripts/soak.sh)
#   6. Kubernetes manifests against Kubernetes' OpenAPI schemas and the fields depthcast needs
#   6b. container (root): the Dockerfile's cpu image built with podman from Debian base images,
#      streamed through and drained (scripts/container-test.sh)
#   7. network (root): NAT with/without --announced-ip, ICE-TCP, TURN over TCP (scripts/test-net.sh);
#      with DEPTHCAST_NET_THRESHOLDS=1 also the shaped-link thresholds (scripts/measure-net.sh --assert)
# Step 3 includes the 3-node HAProxy cluster with a drain (ClusterDrainTest: Debian's haproxy).
# Needs: JDK 17+, Maven, Node.js/npm, python3-onnx, python3-venv (the CPU quantizer's environment), Debian's chromium, nvcc (step 2 only compiles
# kernels when nvcc is present; the host parity test needs only g++), haproxy; for step 6b root,
# podman, runc, mmdebstrap; for step 7 root, iproute2, nftables, coturn (without root step 7 is left
# out, unless DEPTHCAST_REQUIRE_NETNS=1 makes that an error, as in CI). .ci/run installs them.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
step() { printf '\n=== %s\n' "$*"; }

step "models: committed ONNX files match scripts/make-models.py"
/usr/bin/python3 -c 'import onnx, numpy' 2>/dev/null \
  || { echo "test.sh: needs Debian's python3-onnx and python3-numpy (apt-get install python3-onnx python3-numpy; .ci/run does it)"; exit 1; }
/usr/bin/python3 scripts/make-models.py --check

if [[ -x scripts/test-kernels.sh ]]; then
  step "kernels: nvcc build and host parity test"
  scripts/test-kernels.sh
fi

step "java: mvn verify (unit, end-to-end over webrtc-java, load run)"
mvn -B -ntp verify

step "cpu engines: build FP32 + INT8 of the small test model, serve the matching one (scripts/test-cpu-engine.sh)"
scripts/test-cpu-engine.sh

step "geometry: ground-truth benchmark against its targets (scripts/geometry-bench.sh --assert)"
# Relative output with the stabiliser off and on, metric output with the session's field of view sent and not;
# a 6 s clip keeps it near a minute on 2 cores.
scripts/geometry-bench.sh --assert --seconds 6

step "web: unit tests"
(cd web && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build && npm test)

step "browser: headless Chromium end to end against the server"
log=$(mktemp)
# A free port, not a fixed one: a server someone is running (scripts/serve.sh, 8080 or any other
# port) is never touched.
port=${DEPTHCAST_TEST_PORT:-$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
java -jar server/target/depthcast-server.jar --port "$port" --backend cpu --web-root "$root/web/dist" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/stats" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$log"; echo "server died"; exit 1; }
  sleep 0.2
done
if ! (cd web && DEPTHCAST_URL="http://127.0.0.1:$port" npm run --silent test:browser); then
  echo "--- server log"; tail -50 "$log"; exit 1
fi
curl -fsS "http://127.0.0.1:$port/api/stats" | head -c 2000; echo

step "browser: dense mode (a --dense on server beside the default --dense off one)"
dense_log=$(mktemp)
dense_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
java -jar server/target/depthcast-server.jar --port "$dense_port" --backend cpu --web-root "$root/web/dist" --dense on >"$dense_log" 2>&1 &
dense_server=$!
trap 'kill $server $dense_server 2>/dev/null || true; wait $server $dense_server 2>/dev/null || true; rm -f "$log" "$dense_log"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$dense_port/api/stats" >/dev/null 2>&1 && break
  kill -0 $dense_server 2>/dev/null || { cat "$dense_log"; echo "dense server died"; exit 1; }
  sleep 0.2
done
if ! (cd web && DEPTHCAST_DENSE_URL="http://127.0.0.1:$dense_port" DEPTHCAST_URL="http://127.0.0.1:$port" node --test test/browser-dense.mjs); then
  echo "--- dense server log"; tail -50 "$dense_log"; exit 1
fi
kill $dense_server; wait $dense_server 2>/dev/null || true
rm -f "$dense_log"
kill $server; wait $server 2>/dev/null || true

step "cli: bad inputs end in one line, no stack trace; clean shutdown (scripts/test-cli.sh)"
scripts/test-cli.sh

step "soak: 4 churning clients + hostile mix for 100 s; memory, threads, FDs plateau and come back (scripts/soak.sh)"
soak_out=$(mktemp -d)
scripts/soak.sh --duration 100s --out "$soak_out"
rm -rf "$soak_out"

step "kubernetes: deploy/kubernetes against the Kubernetes OpenAPI schemas (offline)"
(cd deploy/kubernetes && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } && npm test)
step "container: the cpu image built with podman from Debian packages, streamed through, drained (scripts/container-test.sh)"
scripts/container-test.sh
step "network: NAT, firewall and TURN over namespaces (scripts/test-net.sh)"
if [[ $(id -u) == 0 ]]; then
  scripts/test-net.sh
  if [[ ${DEPTHCAST_NET_THRESHOLDS:-0} == 1 ]]; then
    step "network: shaped-link thresholds (scripts/measure-net.sh --assert)"
    scripts/measure-net.sh --assert --runs 3 20mbit 8mbit 50to8
  fi
elif [[ ${DEPTHCAST_REQUIRE_NETNS:-0} == 1 ]]; then
  echo "test.sh: the network tests need root (network namespaces); DEPTHCAST_REQUIRE_NETNS=1 makes that an error"; exit 1
else
  echo "test.sh: network tests left out: they need root (network namespaces); run scripts/test-net.sh as root"
fi
