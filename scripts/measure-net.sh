#!/usr/bin/env bash
# Shaped-link measurements (docs/networks.md): one browser client (headless Chromium, a 30 fps synthetic
# camera clip) in the client namespace, the server in the server namespace, the downlink (router →
# client) shaped with tbf (scripts/net-topology.sh). Prints, per link: results/s, ingest →
# page-arrival latency p50/p95 and the median message size, over a fixed window.
#
#   scripts/measure-net.sh [options] [SCENARIO…]
#     unshaped | 50mbit | 20mbit | 8mbit | 4mbit | 50to8  (default: all but 4mbit; 50to8 drops 50 → 8 Mbit/s
#                                                    mid-window and reports the recovery)
# With --server-args "--dense on" the page draws dense frames, and the table's last column gives
# their rate, points, ingest → display latency and video bitrate (the results/s columns then count
# the metadata messages).
# Options:
#   --seconds S        measuring window (default 20) after --warmup S (default 3)
#   --runs N           repeat each scenario N times and report medians (default 1)
#   --clip FILE.y4m    camera clip (default: scripts/make-clip.py's 642x362 @ 30 fps, made once)
#   --server-args "…"  extra server flags (e.g. "--wire v1")
#   --assert           also enforce the pass thresholds of docs/networks.md on the medians over --runs:
#                      20mbit >= 27 results/s and p95 <= 120 ms; 8mbit >= 20 results/s, p95 <= 180
#                      ms; 50to8 p95 back under 200 ms within 3 s of the drop (the p95 of all results
#                      from 3 s after the drop to the end); and in every run no reconnect after
#                      the drop; at 8 Mbit/s the HUD names a level that results carried in the last
#                      5 s (each run)
#   --out DIR          keep each run's probe JSON and server log there (default: a temporary folder)
# Needs root, iproute2, nftables, chromium, python3-numpy, a built server jar and web/dist.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

seconds=20 warmup=3 runs=1 clip="" server_args="" enforce=0 out=""
scenarios=()
while (($#)); do
  case $1 in
    --seconds) seconds=${2:?}; shift 2 ;;
    --warmup) warmup=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --clip) clip=${2:?}; shift 2 ;;
    --server-args) server_args=${2?}; shift 2 ;;
    --assert) enforce=1; shift ;;
    --out) out=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "measure-net.sh: unknown option $1" >&2; exit 2 ;;
    *) scenarios+=("$1"); shift ;;
  esac
done
((${#scenarios[@]})) || scenarios=(unshaped 50mbit 20mbit 8mbit 50to8)

jar=server/target/depthcast-server.jar
[[ $(id -u) == 0 ]] || { echo "measure-net.sh: needs root (network namespaces)"; exit 2; }
[[ -f $jar && -f web/dist/index.html ]] || { echo "measure-net.sh: build the server jar and web/dist first (scripts/test.sh or scripts/serve.sh do)"; exit 2; }

topo=scripts/net-topology.sh
tag=m$$
HTTP_PORT=8080
TOKEN=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
work=$(mktemp -d /tmp/depthcast-measure.XXXXXX)
[[ -n $out ]] && mkdir -p "$out" || out=$work
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
  "$topo" down "$tag"
}
trap 'cleanup; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

if [[ -z $clip ]]; then
  clip=/tmp/depthcast-clip-642x362-30.y4m
  [[ -s $clip ]] || /usr/bin/python3 scripts/make-clip.py --out "$clip" --size 642x362 --fps 30 --seconds 4 >&2
fi

server=$("$topo" addr server)

# run SCENARIO RUN: one measurement; the probe's JSON lands in $out/SCENARIO.RUN.json.
run() {
  local name=$1 i=$2 rate="" step=()
  local -a limits=()
  case $name in
    unshaped) ;;
    50mbit) rate=50mbit ;;
    20mbit) rate=20mbit ;;
    8mbit) rate=8mbit; ((enforce)) && limits=(--expect-hud-level) ;;
    4mbit) rate=4mbit ;;
    50to8) rate=50mbit
           step=(--step-at $((seconds / 2)) --step-cmd "$root/$topo shape $tag 8mbit" --recover-p95 200)
           ;;
    *) echo "measure-net.sh: unknown scenario '$name'" >&2; return 2 ;;
  esac
  if [[ -n $rate ]]; then "$topo" up "$tag" --shape "$rate" >/dev/null; else "$topo" up "$tag" >/dev/null; fi
  local s c log=$out/$name.$i.server.log
  s=$("$topo" ns "$tag" server) c=$("$topo" ns "$tag" client)
  # shellcheck disable=SC2086
  ip netns exec "$s" java -jar "$jar" --host 0.0.0.0 --port $HTTP_PORT --backend cpu \
    --web-root "$root/web/dist" --auth-token "$TOKEN" $server_args >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    ip netns exec "$s" curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break
    sleep 0.2
  done
  local rc=0
  ip netns exec "$c" node web/test/net/probe.mjs --url "http://$server:$HTTP_PORT" --token "$TOKEN" --clip "$clip" \
    --seconds "$seconds" --warmup "$warmup" --json "$out/$name.$i.json" \
    --arrivals "$out/$name.$i.arrivals.csv" "${step[@]}" "${limits[@]}" >/dev/null || rc=$?
  # The server's CPU seconds over the whole run (user + system; ip netns exec execs java).
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f\n", ($14 + $15) / hz }' "/proc/$server_pid/stat" >"$out/$name.$i.server-cpu" 2>/dev/null || true
  cleanup
  # Each run ends with a drain of a live session: the server must stop without a crash.
  if grep -q "A fatal error has been detected" "$log"; then
    echo "measure-net.sh: the server crashed while stopping ($log)" >&2
    rc=1
  fi
  return $rc
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
failed=()
for name in "${scenarios[@]}"; do
  for i in $(seq 1 "$runs"); do
    echo "measure-net.sh: $name run $i/$runs" >&2
    run "$name" "$i" || failed+=("$name#$i")
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# The table: medians over runs.
# With --assert the thresholds are judged here, on the medians: one run on a shared 2-core machine
# is noisy (a 20 s window at ~28 results/s moves by ±0.5/s between runs).
node --input-type=module - "$out" "$runs" "$enforce" "${scenarios[@]}" <<'EOF' || failed+=(thresholds)
import { readFileSync, existsSync } from 'node:fs';
const [dir, runs, enforce, ...names] = process.argv.slice(2);
const LIMITS = { '20mbit': { minRate: 27, maxP95: 120 }, '8mbit': { minRate: 20, maxP95: 180 } };
const misses = [];
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const f = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '–');
console.log('| downlink | results/s | latency ingest → arrival p50 / p95 ms | median bytes | link levels (results) | notes | dense: frames/s · points · ingest → display p50 / p95 ms · video kbit/s |');
console.log('|---|---|---|---|---|---|---|');
for (const name of names) {
  const reps = [];
  for (let i = 1; i <= Number(runs); i++) {
    const p = `${dir}/${name}.${i}.json`;
    if (!existsSync(p)) continue;
    const rep = JSON.parse(readFileSync(p, 'utf8'));
    const cpu = `${dir}/${name}.${i}.server-cpu`;
    rep.serverCpuS = existsSync(cpu) ? Number(readFileSync(cpu, 'utf8')) : NaN;
    reps.push(rep);
  }
  const w = (k) => median(reps.map((r) => r.window?.[k]));
  let notes = reps.flatMap((r) => r.failures || []).join('; ');
  const huds = reps.map((r) => r.hudGrid).filter(Boolean).map((h) => (/level \d+/.exec(h) || ['?'])[0]);
  if (huds.length) notes = `HUD: ${huds.join(', ')}${notes ? `; ${notes}` : ''}`;
  // Where the latency tail comes from, and what the server spent (CPU seconds over a run).
  notes = `p95 split: ingest → sent ${f(w('serverP95Ms'))}, sent → arrival ${f(w('deliveryP95Ms'))} ms; `
    + `server CPU ${f(median(reps.map((r) => r.serverCpuS)), 1)} s/run; ${notes}`;
  if (name === '50to8') {
    const rec = reps.map((r) => r.recoveryMs);
    const after = (k) => median(reps.map((r) => r.lastSeconds?.[k]));
    notes = `before: ${f(median(reps.map((r) => r.beforeStep?.resultsPerSec)), 1)}/s p95 ${f(median(reps.map((r) => r.beforeStep?.p95Ms)))}; `
      + `last 5 s at 8 Mbit/s: ${f(after('resultsPerSec'), 1)}/s p95 ${f(after('p95Ms'))}; `
      + `from 3 s after the drop: p95 ${f(median(reps.map((r) => r.settled?.p95Ms)))}; `
      + `every 1 s window < 200 ms from ${rec.map((x) => (x === null || x === undefined ? 'never' : `${x} ms`)).join(', ')}; `
      + `reconnects ${reps.map((r) => r.reconnects).join(', ')}${notes ? `; ${notes}` : ''}`;
  }
  const levels = {};
  for (const r of reps) for (const [k, v] of Object.entries(r.levels || {})) levels[k] = (levels[k] || 0) + v;
  const lv = Object.entries(levels).map(([k, v]) => `${k}: ${v}`).join(', ') || '–';
  const d = (k) => median(reps.map((r) => r.dense?.[k]));
  const dl = (k) => median(reps.map((r) => r.dense?.latencyMs?.[k]));
  const dense = reps.some((r) => r.dense)
    ? `${f(d('framesPerSec'), 1)} · ${f(d('points'))} · ${f(dl('p50'))} / ${f(dl('p95'))} · ${f(d('rxKbps'))}`
    : '–';
  console.log(`| ${name} | ${f(w('resultsPerSec'), 1)} | ${f(w('p50Ms'))} / ${f(w('p95Ms'))} | ${f(w('medianBytes'))} | ${lv} | ${notes} | ${dense} |`);
  const l = LIMITS[name];
  if (l && !(w('resultsPerSec') >= l.minRate)) misses.push(`${name}: median results/s ${f(w('resultsPerSec'), 1)} < ${l.minRate}`);
  if (l && !(w('p95Ms') <= l.maxP95)) misses.push(`${name}: median p95 ${f(w('p95Ms'))} ms > ${l.maxP95}`);
  if (name === '50to8') {
    const settled = median(reps.map((r) => r.settled?.p95Ms));
    if (!(settled <= 200)) misses.push(`50to8: median p95 from 3 s after the drop to the end ${f(settled)} ms > 200`);
    if (reps.some((r) => r.reconnects > 0)) misses.push('50to8: a reconnect after the drop');
  }
}
if (enforce === '1' && misses.length) {
  console.error(`measure-net.sh: thresholds missed: ${misses.join('; ')}`);
  process.exit(1);
}
EOF
echo "load average before: $load_before, after: $load_after; runs per scenario: $runs; window ${seconds} s"
((${#failed[@]} == 0)) || { echo "measure-net.sh: failed: ${failed[*]}"; exit 1; }
