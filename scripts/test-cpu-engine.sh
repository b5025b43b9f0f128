#!/usr/bin/env bash
# CPU engines end to end (scripts/build-engine.sh --backend cpu): without Python the INT8 build ends
# in one line; with it, FP32 and INT8 engines of the small Depth-Anything-shaped test model
# (da2-vit-tiny.onnx) are built from y4m frames through the serving preprocessor, by ONNX
# Runtime's quantization tool in its private environment (made on first use from the local pip
# index), checked by the accuracy gate, and the server started beside them serves the INT8 one
# by default and the FP32 one with --precision fp32, and says which in /api/stats.
# --force: random weights make the tiny model's INT8 engine slower than FP32 at this size, which
# would (rightly) keep it out; the refusal paths are unit-tested.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
server=
trap '[[ -n $server ]] && { kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; }; rm -rf "$tmp"' EXIT
fail() { echo "test-cpu-engine: $*" >&2; exit 1; }

model=server/src/test/resources/models/da2-vit-tiny.onnx
size=112x154
mkdir -p "$tmp/frames" "$tmp/run"
# 20 frames of a moving scene, I420, as serve.sh --record-calibration writes them.
/usr/bin/python3 - "$tmp/frames/scene.y4m" <<'PY'
import math, sys
W, H = 160, 120
with open(sys.argv[1], "wb") as f:
    f.write(f"YUV4MPEG2 W{W} H{H} F30:1 Ip A1:1 C420jpeg\n".encode())
    for n in range(20):
        y = bytearray(W * H)
        for j in range(H):
            for i in range(W):
                v = 128 + 60 * math.sin(i / 9 + n / 3) * math.cos(j / 7) + 50 * j / H
                if (i - 40 - 3 * n) ** 2 + (j - 60) ** 2 < 400:
                    v = 230
                y[j * W + i] = max(16, min(235, int(v)))
        f.write(b"FRAME\n" + bytes(y) + bytes([128]) * (W * H // 2))
PY
build=(scripts/build-engine.sh --backend cpu --preset depth-anything-v2 --onnx "$model" --input-size $size
  --calib-images "$tmp/frames")

# A dry run first: it builds the jar if needed, so the next step's stderr is the build's own.
"${build[@]}" --dry-run --precision both >/dev/null 2>&1 || fail "the dry run failed"

echo "-- no Python: one line saying what to install, exit 3"
set +e
DEPTHCAST_PYTHON=/nonexistent/python3 DEPTHCAST_QUANT_VENV="$tmp/no-venv" "${build[@]}" --precision int8 \
  --out "$tmp/none" >/dev/null 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 3 ]] || { cat "$tmp/err"; fail "exit $rc, expected 3"; }
[[ $(grep -c . "$tmp/err") == 1 ]] && grep -q "apt-get install python3-venv" "$tmp/err" || { cat "$tmp/err"; fail "not one line naming python3-venv"; }

echo "-- build FP32 and INT8 (static and dynamic, timed, gated)"
t0=$SECONDS
"${build[@]}" --precision both --force --out "$tmp/run/engines" | tee "$tmp/build.log"
for p in fp32 int8; do
  e=$tmp/run/engines/depth-anything-v2_${size}_cpu-$p.onnx
  [[ -s $e && -s $e.properties ]] || fail "no $p engine and manifest"
  for key in onnxruntime= onnx.sha256= cpu.features= input=$size precision=$p; do
    grep -q "^$key" "$e.properties" || fail "$e.properties lacks $key"
  done
done
grep -q '^gate=.*AbsRel' "$tmp/run/engines/depth-anything-v2_${size}_cpu-int8.onnx.properties" || fail "no gate figures"
grep -q '^int8 static-qdq: .* ms a frame' "$tmp/build.log" && grep -q '^int8 dynamic: .* ms a frame' "$tmp/build.log" \
  || fail "both INT8 methods were not timed and gated"
echo "built in $((SECONDS - t0)) s"

serve() { # PRECISION: starts the server in $tmp/run (engines/ beside it) and prints /api/stats' engine
  local port
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$tmp/run" && exec java -jar "$root/server/target/depthcast-server.jar" --port "$port" --backend cpu \
    --preset depth-anything-v2 --model "$root/$model" --input-size $size --precision "$1" \
    --web-root "$root/web") >"$tmp/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$port/api/stats" >"$tmp/stats" 2>/dev/null && break
    kill -0 $server 2>/dev/null || { cat "$tmp/server.log"; fail "server died"; }
    sleep 0.2
  done
  kill $server; wait $server 2>/dev/null || true
  server=
  /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["engine"])' "$tmp/stats"
}
echo "-- the server picks the engine that matches, and says which"
engine=$(serve auto)
[[ $engine == "int8 ("*") engine depth-anything-v2_${size}_cpu-int8.onnx" ]] || fail "auto serves '$engine'"
grep -q "CPU backend runs int8" "$tmp/server.log" || fail "no log line naming the engine"
engine=$(serve fp32)
[[ $engine == "fp32 engine depth-anything-v2_${size}_cpu-fp32.onnx" ]] || fail "--precision fp32 serves '$engine'"
echo "test-cpu-engine: ok"
