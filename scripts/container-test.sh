#!/usr/bin/env bash
# The container test (scripts/test.sh, so CI): builds the `cpu` image of the Dockerfile with podman
# from base images made of Debian packages (mmdebstrap), nothing from an image registry, then runs
# it and streams through it:
#   base    the build base (JDK, Maven, Node.js) and the runtime base (JRE and the libraries
#           libwebrtc links) from Debian packages; kept as local images and reused while their
#           recipe (packages, the host's extra CA certificates) is unchanged
#   build   podman build --target cpu --pull=never (Maven and npm reach their registries: --network host)
#   start   the container on a free loopback port (--network host): /health/ready, the HEALTHCHECK
#   stream  the webrtc-java load tester, 1 client for 10 s: results arrive, latency-matched
#   drain   a streaming viewer, then `podman stop`: the viewer gets close 4001, the container exits 0
#   size    the image under DEPTHCAST_CPU_IMAGE_MAX_MB (default 600)
#   gpu     with --gpu only: builds the `gpu` target too (never run here: no GPU)
# Every step is timed; a failure ends with one line naming the step. Needs root (left out without;
# CI runs as root), podman, runc and mmdebstrap (.ci/run installs them). Sandbox settings (ulimits, runtime) go in a private
# containers.conf (CONTAINERS_CONF), never the machine's.
#   scripts/container-test.sh [--gpu] [--clean]    --clean: remove the images an earlier run built first
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

gpu=0
clean=0
for arg in "$@"; do
  case $arg in
    --gpu) gpu=1 ;;
    --clean) clean=1 ;;
    *) echo "container-test: unknown option $arg (use --gpu, --clean)"; exit 2 ;;
  esac
done

if [[ $(id -u) != 0 ]]; then
  # CI runs as root, so there the test always runs.
  echo "container-test: left out: it needs root (mmdebstrap and podman as root, as in CI)"
  exit 0
fi

suite=bookworm
mirror=http://deb.debian.org/debian
version=0.1.0
image=localhost/depthcast:$version-cpu
gpu_image=localhost/depthcast:$version-gpu
max_mb=${DEPTHCAST_CPU_IMAGE_MAX_MB:-600}
# Every image this test makes carries this label (children inherit it from the bases): --clean
# removes exactly those.
label=dev.depthcast.container-test
container=depthcast-container-test-$$

current=setup
started=$(date +%s.%N)
step_started=$started
work=$(mktemp -d)
finish() {
  local rc=$?
  podman rm -f -t 0 "$container" >/dev/null 2>&1 || true
  [[ -n ${probe_pid:-} ]] && kill "$probe_pid" 2>/dev/null
  if [[ -n ${build_base_pid:-} ]]; then # the other base's mmdebstrap, then its subshell
    pkill -TERM -P "$build_base_pid" 2>/dev/null
    wait "$build_base_pid" 2>/dev/null
  fi
  rm -rf "$work"
  if ((rc != 0)); then
    echo "container-test: FAILED in step '$current' (exit $rc) after $(elapsed "$started") s"
  fi
}
trap finish EXIT
elapsed() { awk -v from="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - from }'; }
step() {
  [[ $current == setup ]] || echo "--- $current: $(elapsed "$step_started") s"
  current=$1
  step_started=$(date +%s.%N)
  echo "--- $current: $2"
}

for tool in podman mmdebstrap runc curl python3 java; do
  command -v "$tool" >/dev/null \
    || { echo "container-test: needs $tool (apt-get install podman runc mmdebstrap; .ci/run does it)"; exit 1; }
done

# podman's default ulimits exceed a sandbox's hard limits (setrlimit fails in the OCI runtime), and
# crun refuses hybrid cgroups: the machine's limits and runc, for this test only. runc refused any
# process limit above 32768 on the sandbox this was written on, whatever `ulimit -Hu` said.
export CONTAINERS_CONF=$work/containers.conf
at_most() { if [[ $1 == unlimited ]] || (($1 > $2)); then echo "$2"; else echo "$1"; fi; }
nofile=$(at_most "$(ulimit -Hn)" 1048576)
nproc=$(at_most "$(ulimit -Hu)" 32768)
ulimits=("nofile=$nofile:$nofile" "nproc=$nproc:$nproc")
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["${ulimits[0]}", "${ulimits[1]}"]
[engine]
runtime = "runc"
EOF

if ((clean)); then
  step clean "removing the images earlier runs built (label $label)"
  ids=$(podman images -aq --filter "label=$label" | sort -u)
  [[ -z $ids ]] || podman rmi -f $ids >/dev/null
fi

# ---------------------------------------------------------------------------------------- base
step base "Debian $suite base images (mmdebstrap)"
# A TLS-inspecting proxy's CA must be trusted by Maven and npm inside the build: the host's extra
# certificates go into the build base (Java's cacerts via ca-certificates-java's hook).
extra_cas=()
for crt in /usr/local/share/ca-certificates/*.crt; do
  [[ -f $crt ]] && extra_cas+=("$crt")
done
if ((${#extra_cas[@]})); then
  echo "adding the host's ${#extra_cas[@]} extra CA certificate(s) to the build base: ${extra_cas[*]##*/}"
else
  echo "the host has no extra CA certificates (/usr/local/share/ca-certificates): the build base has Debian's only"
fi
build_pkgs=openjdk-17-jdk-headless,maven,nodejs,npm,ca-certificates,ca-certificates-java
runtime_pkgs=openjdk-17-jre-headless,ca-certificates,passwd,curl,libpulse0,libx11-6,libxfixes3,libxrandr2,libxcomposite1,libudev1,libdbus-1-3
# The tag is a hash of the recipe: a changed package list or CA certificate builds a new base.
recipe_tag() { { echo "$suite $mirror $*"; cat "${extra_cas[@]}" </dev/null; } | sha256sum | cut -c1-12; }
build_base=localhost/depthcast-base-build:$suite-$(recipe_tag "$build_pkgs")
runtime_base=localhost/depthcast-base-runtime:$suite-$(recipe_tag "$runtime_pkgs")
make_base() { # NAME PACKAGES [mmdebstrap options…]
  local name=$1 pkgs=$2 t0 tag
  tag=${name##*/}
  tag=${tag%%:*}
  shift 2
  if podman image exists "$name"; then
    echo "$name: kept from an earlier run"
    return
  fi
  t0=$(date +%s.%N)
  # No documentation, manual pages or translations; openjdk's postinst still links its manual page
  # into man1, which must exist.
  mmdebstrap --variant=minbase --include="$pkgs" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    "$@" "$suite" "$work/$tag.tar" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" \
    "deb http://deb.debian.org/debian-security $suite-security main" >"$work/$tag.log" 2>&1 \
    || { grep -v -E '^(Get|Unpacking|Selecting|Preparing|Setting up|Processing)' "$work/$tag.log" | tail -20; return 1; }
  podman import --quiet --change "LABEL $label=base" --change 'CMD ["/bin/bash"]' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' "$work/$tag.tar" "$name" >/dev/null
  rm -f "$work/$tag.tar"
  echo "$name: built in $(elapsed "$t0") s, $(podman image inspect --format '{{.Size}}' "$name" | awk '{printf "%.0f", $1 / 1e6}') MB"
}
ca_hooks=()
if ((${#extra_cas[@]})); then
  ca_hooks=(--customize-hook="copy-in ${extra_cas[*]} /usr/local/share/ca-certificates/"
    --customize-hook='chroot "$1" update-ca-certificates --fresh >/dev/null')
fi
# The two at once: most of the time is downloads and dpkg, not CPU.
make_base "$build_base" "$build_pkgs" "${ca_hooks[@]}" &
build_base_pid=$!
make_base "$runtime_base" "$runtime_pkgs"
wait "$build_base_pid"
build_base_pid=

# --------------------------------------------------------------------------------------- build
step build "podman build --target cpu (no image registry: --pull=never)"
# podman build takes no ulimits from containers.conf (its default nproc exceeds the hard limit).
build_args=(--pull=never --network host --format docker --layers --ulimit "${ulimits[0]}" --ulimit "${ulimits[1]}"
  --build-arg "BUILD_IMAGE=$build_base" --build-arg "RUNTIME_IMAGE=$runtime_base"
  --build-arg "VERSION=$version" --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)")
podman build --quiet "${build_args[@]}" --target cpu -t "$image" . >/dev/null

# --------------------------------------------------------------------------------------- start
step start "the image on a free loopback port (--network host)"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
run_started=$(date +%s.%N)
# podman schedules the HEALTHCHECK with systemd timers and complains without systemd: its messages
# go to a file shown on failure, and `podman healthcheck run` below runs the check.
podman run -d --name "$container" --network host -e "DEPTHCAST_PORT=$port" "$image" \
  --host 127.0.0.1 --port "$port" --backend cpu --drain-seconds 2 >/dev/null 2>"$work/podman.log" \
  || { cat "$work/podman.log"; exit 1; }
ready=0
for _ in $(seq 1 300); do
  if curl -fsS "$url/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  [[ $(podman inspect --format '{{.State.Running}}' "$container") == true ]] \
    || { podman logs "$container" 2>&1 | tail -30; echo "the container exited"; exit 1; }
  sleep 0.2
done
((ready)) || { podman logs "$container" 2>&1 | tail -30; echo "/health/ready never answered 200 in 60 s"; exit 1; }
echo "/health/ready 200 after $(elapsed "$run_started") s"
podman healthcheck run "$container" >/dev/null || { echo "the image's HEALTHCHECK failed"; exit 1; }
echo "HEALTHCHECK $(podman image inspect "$image" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["Healthcheck"]["Test"][-1])'): healthy"
curl -fsS "$url/api/stats" | python3 -c 'import json, sys; s = json.load(sys.stdin); print("backend", s.get("backend"), "model", s.get("model"))'

# -------------------------------------------------------------------------------------- stream
step stream "webrtc-java load tester through the container, 1 client, 10 s"
if ! scripts/loadtest.sh --url "$url" --clients 1 --duration 10s --out "$work" --name container --quiet; then
  podman logs "$container" 2>&1 | tail -30
  echo "the load tester failed"
  exit 1
fi
python3 - "$work/container.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
o, c = r["overall"], r["clients"][0]
print(f"{c['results']} results in {o['windowS']} s ({o['resultFps']} fps), {o['matchedPct']}% latency-matched, "
      f"latency p50 {o['latencyMs']['p50']} ms p95 {o['latencyMs']['p95']} ms")
if c["results"] == 0 or not o["matchedPct"] >= 99:
    sys.exit("no results, or fewer than 99% of them latency-matched")
EOF
pid=$(podman inspect --format '{{.State.Pid}}' "$container")
echo "server RSS $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status")"

# --------------------------------------------------------------------------------------- drain
step drain "a streaming viewer, then podman stop: close 4001, exit 0"
java -cp scripts/loadtest/target/depthcast-loadtest.jar scripts/container/DrainProbe.java "$url" >"$work/probe.log" 2>&1 &
probe_pid=$!
for _ in $(seq 1 600); do
  grep -q '^streaming' "$work/probe.log" && break
  kill -0 "$probe_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q '^streaming' "$work/probe.log" || { cat "$work/probe.log"; echo "the viewer never streamed"; exit 1; }
stop_started=$(date +%s.%N)
podman stop -t 30 "$container" >/dev/null 2>"$work/podman.log" || { cat "$work/podman.log"; exit 1; }
echo "podman stop returned after $(elapsed "$stop_started") s"
probe_rc=0
wait "$probe_pid" || probe_rc=$?
probe_pid=
grep '^closed' "$work/probe.log" || true
((probe_rc == 0)) || { tail -20 "$work/probe.log"; echo "the viewer was not closed with 4001"; exit 1; }
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
podman logs "$container" 2>&1 | grep -E 'draining|drained|stopped cleanly' || true
((exit_code == 0)) || { podman logs "$container" 2>&1 | tail -20; echo "the container exited $exit_code, not 0"; exit 1; }
echo "viewer closed with 4001; the container exited 0"

# ---------------------------------------------------------------------------------------- size
step size "the cpu image under $max_mb MB"
size_mb=$(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f", $1 / 1e6}')
echo "$image: $size_mb MB (bound $max_mb MB)"
((size_mb <= max_mb)) || { echo "the cpu image is $size_mb MB, over $max_mb MB"; exit 1; }

# ----------------------------------------------------------------------------------------- gpu
if ((gpu)); then
  # No CUDA base image here (no registry): the gpu target builds on the Debian runtime base, which
  # checks the target and its TensorRT/CUDA redistributable jars; a real build passes none.
  step gpu "podman build --target gpu (built, never run here)"
  podman build --quiet "${build_args[@]}" --build-arg "GPU_RUNTIME_IMAGE=$runtime_base" --target gpu -t "$gpu_image" . >/dev/null
  echo "$gpu_image: $(podman image inspect --format '{{.Size}}' "$gpu_image" | awk '{printf "%.0f", $1 / 1e6}') MB"
fi

step done "the container test passed"
echo "container-test: passed in $(elapsed "$started") s"
