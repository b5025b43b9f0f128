#!/usr/bin/env bash
# Compiles the CUDA kernels (kernels/*.cu) into one fatbin the server loads from its classpath:
#   SASS for sm_75 sm_80 sm_86 sm_89 sm_90 + compute_90 PTX (JIT on newer GPUs, CUDA 13 driver),
#   warnings are errors (nvcc front end, host compiler, ptxas incl. register spills).
# Output: kernels/build/classpath/kernels/depthcast_kernels.fatbin (+ .properties), which
# server/pom.xml adds as a resource directory when it exists: run this before `mvn package` to
# put the kernels in the jar. Without nvcc the server still builds and runs on the CPU.
#
# Usage: scripts/build-kernels.sh [--out DIR]      env: NVCC=/path/to/nvcc
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/kernels/build"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build-kernels: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

ARCHS=(75 80 86 89 90)
PTX=90

NVCC="${NVCC:-}"
if [ -z "$NVCC" ]; then
  NVCC="$(command -v nvcc || true)"
  [ -z "$NVCC" ] && [ -x /usr/local/cuda/bin/nvcc ] && NVCC=/usr/local/cuda/bin/nvcc
fi
if [ -z "$NVCC" ] || [ ! -x "$NVCC" ]; then
  echo "build-kernels: nvcc not found (set NVCC or install the CUDA toolkit). The GPU kernels are not built;" >&2
  echo "build-kernels: the server still builds and runs on the CPU backend without them." >&2
  exit 1
fi

GENCODE=()
for a in "${ARCHS[@]}"; do GENCODE+=(-gencode "arch=compute_$a,code=sm_$a"); done
GENCODE+=(-gencode "arch=compute_$PTX,code=compute_$PTX")

DEST="$OUT/classpath/kernels"
mkdir -p "$DEST"
TMP="$(mktemp "$DEST/.depthcast_kernels.XXXXXX")"
trap 'rm -f "$TMP"' EXIT

# -fmad=false: no fused multiply-adds, so the device rounds exactly like the Java path and the
# host parity test (the kernels are memory-bound; FMA buys nothing measurable here).
"$NVCC" -O3 -std=c++17 -fmad=false \
  -Werror all-warnings -Xcompiler -Wall,-Wextra -Xptxas --warn-on-spills,--warning-as-error \
  -I "$ROOT/kernels" -fatbin "${GENCODE[@]}" \
  -o "$TMP" "$ROOT/kernels/depthcast_kernels.cu"
mv -f "$TMP" "$DEST/depthcast_kernels.fatbin"
trap - EXIT

VERSION="$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p' | head -1)"
SOURCES="$(cat "$ROOT"/kernels/*.cuh "$ROOT"/kernels/*.cu | sha256sum | cut -d' ' -f1)"
TARGETS="$(printf 'sm_%s,' "${ARCHS[@]}")compute_$PTX"
cat > "$DEST/depthcast_kernels.properties" <<PROPS
# written by scripts/build-kernels.sh
nvcc=$VERSION
targets=$TARGETS
sources.sha256=$SOURCES
PROPS
echo "build-kernels: $DEST/depthcast_kernels.fatbin ($(wc -c < "$DEST/depthcast_kernels.fatbin") bytes; $TARGETS; nvcc $VERSION)"
