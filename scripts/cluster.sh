#!/usr/bin/env bash
# N depthcast nodes on this machine behind HAProxy (Debian's haproxy), for trying scale-out and
# drain locally and for the cluster test. docs/scaling.md explains the set-up; the same HAProxy
# rules serve real nodes on real hosts.
#
#   scripts/cluster.sh --nodes 3                      # http://127.0.0.1:8080/ through HAProxy
#   scripts/cluster.sh --nodes 3 -- --simulate-inference-ms 20+2 --devices 2   # flags after -- go to every node
#   scripts/cluster.sh drain 2                        # (another shell) node 2 drains: POST /api/admin/drain
#   kill -TERM "$(cat cluster-run/node2.pid)"         # the same through SIGTERM: the node drains, then exits
#
# Node K (1..N) listens on 127.0.0.1:NODE_PORT+K-1, its admin port on ADMIN_PORT+K-1 and takes
# its WebRTC media ports from ICE_PORTS+100(K-1) .. +99. HAProxy on --port sends a new session
# (POST /api/sessions) to the ready node with the fewest connections (each viewer holds one results
# WebSocket, so: the fewest viewers), learns the session's node from the 201's Location header, and
# sends that session's later calls (candidates, results WebSocket, DELETE) there — even while the
# node drains and its /health/ready says 503. Media never goes through HAProxy: each node hands
# out its own ICE candidates. Ctrl-C (or SIGTERM) drains every node, then stops HAProxy.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOF

Options:
  --nodes N            nodes to start (default 3)
  --port P             HAProxy's port (default 8080)
  --node-port P        first node's port (default: --port + 1)
  --admin-port P       first node's admin port, 127.0.0.1 only: /metrics, /api/stats, drain (default: --port + 101)
  --ice-ports P        first node's first WebRTC port (default 50000; 100 a node)
  --drain-seconds S    how long a draining node keeps serving before it closes its viewers with 4001 (default 10)
  --run-dir DIR        pids, logs, haproxy.cfg (default cluster-run/)
  -- FLAGS…            passed to every node (scripts/serve.sh flags)
EOF
}

nodes=3 port=8080 node_port= admin_port= ice_ports=50000 drain_seconds=10 run_dir=$root/cluster-run
command=run drain_node=
if [[ ${1:-} == drain ]]; then
  command=drain drain_node=${2:?usage: scripts/cluster.sh drain K [--run-dir DIR]}
  shift 2
fi
extra=()
while (($#)); do
  case $1 in
    --nodes) nodes=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --node-port) node_port=$2; shift 2 ;;
    --admin-port) admin_port=$2; shift 2 ;;
    --ice-ports) ice_ports=$2; shift 2 ;;
    --drain-seconds) drain_seconds=$2; shift 2 ;;
    --run-dir) run_dir=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "cluster.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
done
node_port=${node_port:-$((port + 1))}
admin_port=${admin_port:-$((port + 101))}

if [[ $command == drain ]]; then
  [[ -f $run_dir/node$drain_node.admin ]] || { echo "cluster.sh: no node $drain_node in $run_dir" >&2; exit 2; }
  auth=()
  [[ -n ${DEPTHCAST_TOKEN:-} ]] && auth=(-H "Authorization: Bearer $DEPTHCAST_TOKEN")
  exec curl -fsS -X POST "${auth[@]}" -H 'content-type: application/json' -d '{}' \
    "http://127.0.0.1:$(cat "$run_dir/node$drain_node.admin")/api/admin/drain"
fi

[[ $nodes =~ ^[1-9][0-9]?$ ]] || { echo "cluster.sh: --nodes must be 1..99" >&2; exit 2; }
command -v haproxy >/dev/null || {
  echo "cluster.sh: needs Debian's haproxy (apt-get install haproxy; .ci/run installs it)" >&2; exit 2; }
command -v curl >/dev/null || { echo "cluster.sh: needs curl" >&2; exit 2; }

# Build once, here (serve.sh builds what is stale, then --help ends at once), not in N racing nodes.
scripts/serve.sh --help >/dev/null

mkdir -p "$run_dir"
rm -f "$run_dir"/node*.pid "$run_dir"/node*.admin "$run_dir"/node*.port "$run_dir"/haproxy.pid
pids=()
haproxy_pid=
stop() {
  trap - INT TERM EXIT
  echo "cluster: stopping: every node drains (--drain-seconds $drain_seconds), then HAProxy stops" >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n $haproxy_pid ]] && { kill -TERM "$haproxy_pid" 2>/dev/null || true; wait "$haproxy_pid" 2>/dev/null || true; }
  echo "cluster: stopped" >&2
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

servers=
for k in $(seq 1 "$nodes"); do
  p=$((node_port + k - 1)) a=$((admin_port + k - 1)) ice=$((ice_ports + 100 * (k - 1)))
  # Behind a proxy every viewer's address is the proxy's: the per-address limits move to HAProxy
  # (docs/security.md), so they are raised here.
  scripts/serve.sh --host 127.0.0.1 --port "$p" --admin-port "$a" --ice-port-range "$ice-$((ice + 99))" \
    --drain-seconds "$drain_seconds" --max-sessions-per-ip 1000 --sessions-per-minute 6000 \
    --max-connections-per-ip 4096 "${extra[@]}" >"$run_dir/node$k.log" 2>&1 &
  pids+=($!)
  echo $! >"$run_dir/node$k.pid"
  echo "$p" >"$run_dir/node$k.port"
  echo "$a" >"$run_dir/node$k.admin"
  servers+="    server node$k 127.0.0.1:$p check"$'\n'
done

cat >"$run_dir/haproxy.cfg" <<EOF
# Written by scripts/cluster.sh; docs/scaling.md explains each rule.
global
    log stderr format raw local0 info
    pidfile $run_dir/haproxy.pid
    stats socket $run_dir/haproxy.sock mode 600 level admin

defaults
    mode http
    log global
    option httplog
    option http-keep-alive
    timeout connect 2s
    timeout http-request 10s
    timeout client 60s
    timeout server 60s
    # The results WebSocket after its upgrade: the page pings every 2 s, so an hour of silence is a dead viewer.
    timeout tunnel 1h

frontend depthcast
    bind 127.0.0.1:$port
    default_backend nodes

backend nodes
    # A new session goes to the ready node with the fewest open connections: each viewer keeps
    # one results WebSocket open, so this is the node with the fewest viewers.
    balance leastconn
    # Session persistence by session id: the 201 to POST /api/sessions carries
    # Location: /api/sessions/ID; every later call of that session has ID as its 4th path field.
    stick-table type string len 64 size 100k expire 6h
    stick store-response res.hdr(location),field(4,/)
    stick match path,field(4,/)
    # A draining node answers /health/ready with 503 and is marked DOWN, so it gets no new
    # session; its own sessions' calls still go to it until it closes them (4001).
    force-persist if { path_beg /api/sessions/ }
    # A node that is full or began draining before its health check said so answers POST
    # /api/sessions with 503: try another node (the offer is small enough to be buffered and replayed).
    retry-on 503 conn-failure empty-response
    retries 2
    option redispatch 1
    option httpchk
    http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    # Two failed checks a second apart mark a node DOWN: one slow answer on a busy host must
    # not, and retry-on 503 covers a drain's first second.
    timeout check 2s
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2
$servers
EOF
haproxy -c -q -f "$run_dir/haproxy.cfg"

for k in $(seq 1 "$nodes"); do
  p=$(cat "$run_dir/node$k.port")
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$p/health/ready" >/dev/null 2>&1 && break
    kill -0 "${pids[$((k - 1))]}" 2>/dev/null || { tail -20 "$run_dir/node$k.log" >&2; echo "cluster.sh: node $k died" >&2; exit 1; }
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$p/health/ready" >/dev/null || { echo "cluster.sh: node $k not ready after 60 s" >&2; exit 1; }
done

haproxy -db -f "$run_dir/haproxy.cfg" >"$run_dir/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 "$haproxy_pid" 2>/dev/null || { cat "$run_dir/haproxy.log" >&2; echo "cluster.sh: haproxy died" >&2; exit 1; }
  sleep 0.1
done
echo "cluster: ready at http://127.0.0.1:$port/ — $nodes node(s) on ports $node_port..$((node_port + nodes - 1)), admin $admin_port..$((admin_port + nodes - 1)); logs and pids in $run_dir"
# Until Ctrl-C or SIGTERM (the trap drains and stops everything); a node that exits (drained) stays down.
while kill -0 "$haproxy_pid" 2>/dev/null; do
  sleep 1 &
  wait $! || true
done
echo "cluster.sh: haproxy exited: see $run_dir/haproxy.log" >&2
exit 1
