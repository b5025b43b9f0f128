#!/usr/bin/env bash
# Builds TensorRT engines for the tensorrt backend from an ONNX depth model with trtexec:
# explicit batch with one optimization profile (min/opt/max batch, default 1/4/8) at the preset's
# input size, FP16 I/O bindings (what the preprocess/unproject kernels read and write), FP16
# and/or INT8 precision, and a manifest beside each engine (FILE.engine.properties: TensorRT
# version, GPU compute capability, preset, size, batch) that the server's probe checks before it
# tries to load the engine. Engines are tied to one GPU architecture and one TensorRT version:
# build on the machine (GPU + TensorRT) that serves.
#
# Usage: scripts/build-engine.sh [options]
#   --onnx FILE          ONNX model (default for --preset relief: the embedded relief.onnx)
#   --preset NAME        relief | depth-anything-v2 | midas-small (sets the input size)   [relief]
#   --input-size HxW     override the preset's input size (e.g. 518x518)
#   --precision P        fp16 | int8 | both                                               [fp16]
#   --min-batch N / --opt-batch N / --max-batch N                                         [1/4/8]
#   --calib-cache FILE   INT8 calibration cache (required for int8; trtexec --calib)
#   --input-name NAME    the model's input tensor (default: read from the ONNX with python3-onnx)
#   --out DIR            where engines go                                                 [engines]
#   --workspace-mib N    builder workspace                                                [4096]
#   --dry-run            print the trtexec command(s) and manifest(s), build nothing
# Env: TRTEXEC=/path/to/trtexec
# Output: DIR/PRESET_HxW_PRECISION.engine (+ .properties); the server's default engine for a
# preset is engines/PRESET_HxW_fp16.engine (else pass --engine FILE).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "build-engine: $*" >&2; exit 2; }

ONNX="" PRESET="relief" SIZE="" PRECISION="fp16" MINB=1 OPTB=4 MAXB=8 CALIB="" INPUT="" OUT="$ROOT/engines"
WORKSPACE=4096 DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --onnx) ONNX="${2:-}"; shift 2 ;;
    --preset) PRESET="${2:-}"; shift 2 ;;
    --input-size) SIZE="${2:-}"; shift 2 ;;
    --precision) PRECISION="${2:-}"; shift 2 ;;
    --min-batch) MINB="${2:-}"; shift 2 ;;
    --opt-batch) OPTB="${2:-}"; shift 2 ;;
    --max-batch) MAXB="${2:-}"; shift 2 ;;
    --calib-cache) CALIB="${2:-}"; shift 2 ;;
    --input-name) INPUT="${2:-}"; shift 2 ;;
    --out) OUT="${2:-}"; shift 2 ;;
    --workspace-mib) WORKSPACE="${2:-}"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# Preset input sizes (HxW), as in server/src/main/java/dev/depthcast/model/Preset.java.
case "$PRESET" in
  relief) H=378 W=504; [ -z "$ONNX" ] && ONNX="$ROOT/server/src/main/resources/models/relief.onnx" ;;
  depth-anything-v2) H=378 W=504 ;;
  midas-small) H=256 W=256 ;;
  *) die "unknown preset '$PRESET': relief, depth-anything-v2 or midas-small" ;;
esac
if [ -n "$SIZE" ]; then
  [[ "$SIZE" =~ ^([0-9]+)x([0-9]+)$ ]] || die "--input-size must be HxW, e.g. 518x518, got '$SIZE'"
  H="${BASH_REMATCH[1]}" W="${BASH_REMATCH[2]}"
  if [ "$PRESET" = depth-anything-v2 ] && { [ $((H % 14)) -ne 0 ] || [ $((W % 14)) -ne 0 ]; }; then
    die "depth-anything-v2 needs sides that are multiples of 14, got ${H}x${W}"
  fi
  if [ "$PRESET" = midas-small ] && { [ $((H % 32)) -ne 0 ] || [ $((W % 32)) -ne 0 ]; }; then
    die "midas-small needs sides that are multiples of 32, got ${H}x${W}"
  fi
fi
for v in "$MINB" "$OPTB" "$MAXB" "$WORKSPACE"; do
  [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 1 ] || die "batch sizes and workspace must be positive integers, got '$v'"
done
[ "$MINB" -le "$OPTB" ] && [ "$OPTB" -le "$MAXB" ] || die "need min <= opt <= max batch, got $MINB/$OPTB/$MAXB"
[ "$MAXB" -le 64 ] || die "max batch $MAXB is over the server's limit of 64"
case "$PRECISION" in
  fp16) PRECS=(fp16) ;;
  int8) PRECS=(int8) ;;
  both) PRECS=(fp16 int8) ;;
  *) die "--precision must be fp16, int8 or both, got '$PRECISION'" ;;
esac
if [[ " ${PRECS[*]} " == *" int8 "* ]]; then
  [ -n "$CALIB" ] || die "int8 needs --calib-cache FILE (a TensorRT INT8 calibration cache for this model); without one INT8 scales are placeholders and depth is garbage"
  [ "$DRY" = 1 ] || [ -f "$CALIB" ] || die "calibration cache not found: $CALIB"
fi
[ -n "$ONNX" ] || die "--onnx FILE is required for preset $PRESET"
[ "$DRY" = 1 ] || [ -f "$ONNX" ] || die "ONNX model not found: $ONNX"

if [ -z "$INPUT" ]; then
  if [ -f "$ONNX" ] && command -v /usr/bin/python3 >/dev/null; then
    INPUT="$(/usr/bin/python3 - "$ONNX" 2>/dev/null <<'PY' || true
import sys, onnx
m = onnx.load(sys.argv[1], load_external_data=False)
inits = {i.name for i in m.graph.initializer}
print([i.name for i in m.graph.input if i.name not in inits][0])
PY
)"
  fi
  [ -n "$INPUT" ] || die "could not read the input tensor name from $ONNX (needs python3-onnx): pass --input-name NAME"
fi

TRTEXEC="${TRTEXEC:-$(command -v trtexec || true)}"
if [ -z "$TRTEXEC" ]; then
  for c in /usr/src/tensorrt/bin/trtexec /usr/local/tensorrt/bin/trtexec /opt/tensorrt/bin/trtexec; do
    [ -x "$c" ] && TRTEXEC="$c" && break
  done
fi
if [ -z "$TRTEXEC" ] && [ "$DRY" = 0 ]; then
  echo "build-engine: trtexec not found (TensorRT's command-line tool, e.g. /usr/src/tensorrt/bin/trtexec from" >&2
  echo "build-engine: NVIDIA's tensorrt packages): install TensorRT 10.15 on the GPU host that will serve, or set TRTEXEC." >&2
  echo "build-engine: (Engines cannot be built without a GPU; --dry-run prints the commands.)" >&2
  exit 3
fi
TRTEXEC="${TRTEXEC:-trtexec}"

shape() { echo "$INPUT:${1}x3x${H}x${W}"; }
[ "$DRY" = 1 ] || mkdir -p "$OUT"

for P in "${PRECS[@]}"; do
  ENGINE="$OUT/${PRESET}_${H}x${W}_${P}.engine"
  CMD=("$TRTEXEC" "--onnx=$ONNX" "--saveEngine=$ENGINE"
       "--minShapes=$(shape "$MINB")" "--optShapes=$(shape "$OPTB")" "--maxShapes=$(shape "$MAXB")"
       "--inputIOFormats=fp16:chw" "--outputIOFormats=fp16:chw"
       "--memPoolSize=workspace:${WORKSPACE}M" "--skipInference" "--fp16")
  [ "$P" = int8 ] && CMD+=("--int8" "--calib=$CALIB")
  if [ "$DRY" = 1 ]; then
    printf '%q ' "${CMD[@]}"; echo
    echo "# manifest $ENGINE.properties: tensorrt=<from trtexec> compute_capability=<from nvidia-smi> preset=$PRESET input=${H}x${W} batch=$MINB/$OPTB/$MAXB precision=$P input_name=$INPUT"
    continue
  fi
  LOG="$ENGINE.log"
  echo "build-engine: building $ENGINE (log: $LOG)"
  if ! "${CMD[@]}" >"$LOG" 2>&1; then
    tail -20 "$LOG" >&2
    echo "build-engine: trtexec failed for $P (full log: $LOG)" >&2
    exit 1
  fi
  V="$(sed -n 's/.*\[TensorRT v\([0-9][0-9]*\)\].*/\1/p' "$LOG" | head -1)"
  [ -n "$V" ] && TRT="$((V / 10000)).$((V / 100 % 100)).$((V % 100))" || TRT="unknown"
  CC="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader -i "${CUDA_VISIBLE_DEVICES%%,*}" 2>/dev/null | head -1 || true)"
  [ -n "$CC" ] || CC="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 || echo unknown)"
  cat > "$ENGINE.properties" <<PROPS
# written by scripts/build-engine.sh; checked by the server before it loads the engine
tensorrt=$TRT
compute_capability=$CC
preset=$PRESET
input=${H}x${W}
batch=$MINB/$OPTB/$MAXB
precision=$P
input_name=$INPUT
onnx=$(basename "$ONNX")
onnx.sha256=$(sha256sum "$ONNX" | cut -d' ' -f1)
PROPS
  echo "build-engine: $ENGINE (TensorRT $TRT, compute capability $CC)"
done
