#!/usr/bin/env bash
# NAT, firewall and TURN tests over a real network of namespaces (scripts/net-topology.sh): the
# server runs in the server namespace, headless Chromium (fake camera) in the client namespace,
# and web/test/net/probe.mjs checks which path the video took and that results arrive.
#
#   scripts/test-net.sh [SCENARIO…]     default: all, in this order
#     nat-announced     server behind a 1:1 NAT forwarding only the HTTP port and --ice-port-range;
#                       with --announced-ip the page streams, over UDP, to the public address
#     nat-unannounced   the same without --announced-ip: no result, and the page says ICE failed and
#                       names --announced-ip
#     udp-blocked       every UDP packet dropped between client and server: ICE-TCP (the server's
#                       passive TCP candidates) carries the video, no TURN needed
#     turn-tcp          UDP dropped and only TCP 8080 (HTTP) and 3478 (TURN) open: the page relays
#                       through coturn (scripts/turn.sh) over TCP, credentials from GET /api/config
#
# Needs root, iproute2, nftables, coturn, Debian's chromium, a built server jar and web/dist
# (scripts/test.sh builds both first; .ci/run installs the packages).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

jar=server/target/depthcast-server.jar
[[ $(id -u) == 0 ]] || { echo "test-net.sh: needs root (network namespaces)"; exit 2; }
[[ -f $jar ]] || { echo "test-net.sh: build the server first (mvn -pl server -am package)"; exit 2; }
[[ -f web/dist/index.html ]] || { echo "test-net.sh: build the page first (cd web && npm run build)"; exit 2; }
for tool in nft turnserver /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "test-net.sh: needs $tool (apt-get install nftables coturn chromium)"; exit 2; }
done

topo=scripts/net-topology.sh
tag=t$$
HTTP_PORT=8080 ICE_PORTS=50000-50019 TURN_PORT=3478
# The server listens on a non-loopback address, so it needs a token (docs/security.md); the
# page gets it from its URL, /api/config and the TURN credentials stay behind it.
TOKEN=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
work=$(mktemp -d /tmp/depthcast-net.XXXXXX)
# Scenarios run in subshells: what they start is listed in this file, for cleanup to end.
pidfile=$work/pids
cleanup() {
  if [[ -f $pidfile ]]; then
    while read -r p; do kill "$p" 2>/dev/null || true; done <"$pidfile"
    while read -r p; do
      for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null || true
    done <"$pidfile"
    rm -f "$pidfile"
  fi
  "$topo" down "$tag"
}
trap 'cleanup; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# start_server NAME ARGS…: the server in the server namespace, on all its addresses.
start_server() {
  local name=$1; shift
  local s log=$work/$name.server.log
  s=$("$topo" ns "$tag" server)
  ip netns exec "$s" java -jar "$jar" --host 0.0.0.0 --port $HTTP_PORT --backend cpu --web-root "$root/web/dist" \
    --max-clients 4 --ice-port-range $ICE_PORTS --auth-token "$TOKEN" "$@" >"$log" 2>&1 &
  local pid=$!
  echo $pid >>"$pidfile"
  for _ in $(seq 1 150); do
    ip netns exec "$s" curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && return 0
    kill -0 $pid 2>/dev/null || { tail -30 "$log"; echo "server died"; return 1; }
    sleep 0.2
  done
  tail -30 "$log"; echo "server did not come up"; return 1
}

# probe NAME URL ARGS…: the measuring browser in the client namespace.
probe() {
  local name=$1 url=$2; shift 2
  local c
  c=$("$topo" ns "$tag" client)
  if ! ip netns exec "$c" node web/test/net/probe.mjs --url "$url" --token "$TOKEN" --json "$work/$name.json" "$@"; then
    echo "--- server log ($name)"; tail -40 "$work/$name.server.log"
    [[ -f $work/turn.out ]] && { echo "--- coturn"; tail -20 "$work/turn.out"; }
    return 1
  fi
}

public=$("$topo" addr public-server)
private=$("$topo" addr server)

scenario_nat_announced() {
  "$topo" up "$tag" --nat --forward-tcp $HTTP_PORT --forward-udp ${ICE_PORTS} >/dev/null
  start_server nat-announced --announced-ip "$public"
  probe nat-announced "http://$public:$HTTP_PORT" --seconds 8 --warmup 1 --min-results 3 --connect-timeout 90 \
    --expect-path udp --expect-remote "$public"
}

scenario_nat_unannounced() {
  "$topo" up "$tag" --nat --forward-tcp $HTTP_PORT --forward-udp ${ICE_PORTS} >/dev/null
  start_server nat-unannounced
  probe nat-unannounced "http://$public:$HTTP_PORT" --connect-timeout 90 \
    --expect-error 'ICE failed[^]*--announced-ip'
}

scenario_udp_blocked() {
  "$topo" up "$tag" --block-udp >/dev/null
  start_server udp-blocked
  probe udp-blocked "http://$private:$HTTP_PORT" --seconds 8 --warmup 1 --min-results 3 --connect-timeout 90 --expect-path tcp
}

scenario_turn_tcp() {
  "$topo" up "$tag" --block-udp --allow-tcp "$HTTP_PORT, $TURN_PORT" >/dev/null
  local s secret
  s=$("$topo" ns "$tag" server)
  secret=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  DEPTHCAST_TURN_SECRET=$secret ip netns exec "$s" scripts/turn.sh --listen "$private" --port $TURN_PORT \
    --dir "$work/turn" >"$work/turn.out" 2>&1 &
  echo $! >>"$pidfile"
  for _ in $(seq 1 50); do grep -q 'turn.sh: ready' "$work/turn.out" && break; sleep 0.1; done
  grep -q 'turn.sh: ready' "$work/turn.out" || { cat "$work/turn.out"; echo "coturn did not start"; return 1; }
  export DEPTHCAST_TURN_SECRET=$secret
  start_server turn-tcp --ice-server "turn:$private:$TURN_PORT?transport=tcp"
  probe turn-tcp "http://$private:$HTTP_PORT" --seconds 8 --warmup 1 --min-results 3 --connect-timeout 90 --expect-path relay-tcp
}

scenarios=("$@")
((${#scenarios[@]})) || scenarios=(nat-announced nat-unannounced udp-blocked turn-tcp)
failed=()
for name in "${scenarios[@]}"; do
  fn=scenario_${name//-/_}
  declare -F "$fn" >/dev/null || { echo "test-net.sh: unknown scenario '$name'"; exit 2; }
  printf '\n--- net: %s\n' "$name"
  t0=$SECONDS
  if (set -e; "$fn"); then
    echo "--- net: $name passed ($((SECONDS - t0)) s)"
  else
    echo "--- net: $name FAILED ($((SECONDS - t0)) s)"
    failed+=("$name")
  fi
  cleanup
done
((${#failed[@]} == 0)) || { echo "test-net.sh: failed: ${failed[*]}"; exit 1; }
echo "test-net.sh: all ${#scenarios[@]} scenarios passed"
