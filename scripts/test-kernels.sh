#!/usr/bin/env bash
# CI hook for the GPU code that can be checked without a GPU:
#   1. compiles every kernel with nvcc for sm_75/80/86/89/90 + compute_90 PTX, warnings as errors
#      (scripts/build-kernels.sh; the fatbin lands where the server build picks it up);
#      It also compiles kernels/test/device_golden.cu, the runner scripts/device-check.sh runs on a GPU;
#   2. builds kernels/test/host_parity.cpp with g++ -Wall -Wextra -Werror - the same
#      kernels/depthcast_math.cuh the kernels compile - and runs it over the golden vectors in
#      kernels/golden, which the Java CPU path reproduces too (GoldenVectorsTest);
#   3. on a machine without an NVIDIA driver or GPU: that --run refuses there in one line.
# Fails on any error. About 15 s on a 2-core machine.
#   --run   on a machine with a GPU and nvcc (no JDK or TensorRT needed): then also run the real
#           kernels there over the golden vectors and a realistic batch (scripts/device-check.sh).
#           Without an NVIDIA driver and GPU it stops at once with one line saying so (exit 3).
# Without nvcc, step 1 is skipped with a loud message (the host test still runs) unless
# DEPTHCAST_REQUIRE_NVCC=1, which CI should set so that a missing toolkit cannot pass silently.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/kernels/build"
RUN=0
case "${1:-}" in
  --run) RUN=1 ;;
  "") ;;
  *) echo "test-kernels: unknown argument '$1' (the only one is --run)" >&2; exit 2 ;;
esac

# What the device runner needs: the driver's library (it links -lcuda) and a GPU it can open.
# Prints what is missing, or nothing.
missing_gpu() {
  local what=()
  if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 ' \
      && ! ls /usr/lib/x86_64-linux-gnu/libcuda.so.1 /usr/lib64/libcuda.so.1 /usr/local/nvidia/lib64/libcuda.so.1 \
          /usr/lib/wsl/lib/libcuda.so.1 >/dev/null 2>&1; then
    what+=("no libcuda.so.1 in ldconfig -p")
  fi
  if ! ls /dev/nvidia[0-9]* /dev/dxg >/dev/null 2>&1 && ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    what+=("no /dev/nvidia* and nvidia-smi lists no GPU")
  fi
  local IFS=';'
  echo "${what[*]}"
}
if [ "$RUN" = 1 ]; then
  gap="$(missing_gpu)"
  if [ -n "$gap" ]; then
    echo "test-kernels: no NVIDIA driver/GPU here (${gap//;/; }): --run needs an NVIDIA GPU, its driver and nvcc (without --run it checks what needs none of them)" >&2
    exit 3
  fi
fi
mkdir -p "$BUILD"

echo "== nvcc: kernels"
if [ -n "${NVCC:-}" ] || command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ]; then
  "$ROOT/scripts/build-kernels.sh" --out "$BUILD"
  # The device runner (scripts/device-check.sh runs it on a GPU host) is compiled, not linked:
  # there is no libcuda here. Compiling it keeps it in step with the header and the golden reader.
  NVCC_BIN="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
  "$NVCC_BIN" -std=c++17 -O2 -Werror all-warnings -Xcompiler -Wall,-Wextra,-ffp-contract=off -I "$ROOT/kernels" \
    -gencode arch=compute_90,code=sm_90 -c "$ROOT/kernels/test/device_golden.cu" -o "$BUILD/device_golden.o"
  echo "device runner: kernels/test/device_golden.cu compiles (runs only on a GPU: scripts/device-check.sh)"
elif [ "${DEPTHCAST_REQUIRE_NVCC:-0}" = 1 ]; then
  echo "test-kernels: nvcc not found and DEPTHCAST_REQUIRE_NVCC=1: failing" >&2
  exit 1
else
  echo "test-kernels: nvcc not found: SKIPPING the kernel compile (set DEPTHCAST_REQUIRE_NVCC=1 to fail instead)" >&2
fi

echo "== g++: host parity test"
CXX="${CXX:-g++}"
"$CXX" -std=c++17 -O2 -Wall -Wextra -Werror -ffp-contract=off -I "$ROOT/kernels" \
  "$ROOT/kernels/test/host_parity.cpp" -o "$BUILD/host_parity"
"$BUILD/host_parity" "$ROOT/kernels/golden"

if [ "$RUN" = 1 ]; then
  echo "== GPU: the kernels on the device (scripts/device-check.sh)"
  "$ROOT/scripts/device-check.sh"
elif [ -n "$(missing_gpu)" ]; then
  # A machine without a GPU is where --run must refuse in one line, not fail at the linker.
  echo "== no GPU here: --run refuses in one line"
  set +e
  err="$("$ROOT/scripts/test-kernels.sh" --run 2>&1 >/dev/null)"
  rc=$?
  set -e
  if [ "$rc" = 0 ] || [ "$(printf '%s\n' "$err" | wc -l)" != 1 ] || ! grep -q 'no NVIDIA driver/GPU' <<<"$err"; then
    echo "test-kernels: --run without a GPU should exit non-zero with one line naming the missing driver/GPU; got exit $rc and:" >&2
    printf '%s\n' "$err" >&2
    exit 1
  fi
  echo "ok: $err"
fi
