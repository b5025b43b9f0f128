#!/usr/bin/env bash
# --backend cpu: ONNX Runtime engines for the CPU backend (FP32 offline-optimised; INT8 by ONNX
# Runtime's quantization tool in a private Python environment, scripts/cpu-engine/venv.sh, checked
# by the same accuracy gate); engines/README.md, "CPU engines". Otherwise (--backend tensorrt,
# the default):
#
# Builds TensorRT engines for the tensorrt backend from an ONNX depth model, in Java (TensorRT's
# builder through the bytedeco presets; no trtexec): one optimization profile min/opt/max batch at
# the preset's input size, FP16 linear I/O (what the kernels read and write), FP16 and/or INT8 —
# INT8 from the model's Q/DQ nodes, or calibrated on recorded frames and installed only if it
# agrees with the unquantized model on held-out frames. A manifest beside each engine
# (FILE.engine.properties: TensorRT version, GPU, preset, size, batch, precision, model SHA-256)
# is what the server checks before loading it. Build on the GPU host that serves.
#
#   scripts/build-engine.sh --preset depth-anything-v2 --onnx da2.onnx                      # FP16
#   scripts/build-engine.sh --preset depth-anything-v2 --onnx da2.onnx --precision int8 --calib-images DIR
#   scripts/build-engine.sh --help        # every flag;  --dry-run checks the arguments and prints the plan
#
# Calibration frames: scripts/serve.sh --record-calibration DIR records them from live sessions
# (engines/README.md says how many and which). Exit status: 0 built, 2 bad argument, 3 no usable
# GPU here, 4 the INT8 engine failed the accuracy gate (--force installs it anyway), 1 other.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

server=server/target/depthcast-server.jar
backend=tensorrt
prev=
for a in "$@"; do
  [[ $prev == --backend ]] && backend=$a
  [[ $a == --backend=* ]] && backend=${a#--backend=}
  prev=$a
done
if [[ $backend == cpu ]]; then
  if [[ ! -f $server || -n $(find pom.xml server/pom.xml server/src/main -newer "$server" -print -quit) ]]; then
    echo "build-engine: building the server (mvn package)…" >&2
    log=$(mktemp)
    mvn -q -B -DskipTests -pl server -am package >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
    rm -f "$log"
    touch "$server"
  fi
  exec java ${JAVA_OPTS:-} -cp "$server" dev.depthcast.backend.cpu.build.CpuBuildCommand "$@"
fi
args=()
prev=
for a in "$@"; do
  if [[ $a == --backend ]]; then prev=$a; continue; fi
  if [[ $prev == --backend ]]; then
    prev=
    [[ $a == tensorrt ]] || { echo "build-engine: --backend $a: use cpu or tensorrt" >&2; exit 2; }
    continue
  fi
  if [[ $a == --backend=* ]]; then
    [[ $a == --backend=tensorrt ]] || { echo "build-engine: $a: use cpu or tensorrt" >&2; exit 2; }
    continue
  fi
  args+=("$a")
done
set -- "${args[@]+"${args[@]}"}"
jar=engines/tensorrt/target/depthcast-tensorrt.jar
if [[ ! -f $jar || ! -f $server || -n $(find pom.xml server/src/main engines/tensorrt/src/main engines/tensorrt/pom.xml -newer "$jar" -print -quit) ]]; then
  echo "build-engine: building the engine builder (mvn package)…" >&2
  log=$(mktemp)
  mvn -q -B -DskipTests -pl engines/tensorrt -am package >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
  touch "$jar" "$server"
fi
exec java ${JAVA_OPTS:-} -cp "$jar:$server" dev.depthcast.backend.tensorrt.build.BuildCommand "$@"
