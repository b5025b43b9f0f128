#!/usr/bin/env bash
# The GPU checks, as one script for a GPU host with the CUDA toolkit (no JDK or TensorRT needed):
#   1. builds the fatbin the server ships (scripts/build-kernels.sh);
#   2. builds kernels/test/device_golden.cu against the driver API;
#   3. runs the shipped kernels over the golden vectors (kernels/golden, written by the Java path),
#      then again under compute-sanitizer memcheck and racecheck when it is installed;
#   4. times every GPU stage of a realistic batch (n = 1, 2, 4, 8) and what an event wait costs the
#      host thread with and without CU_EVENT_BLOCKING_SYNC;
#   5. where scripts/device-java-bundle.sh packed .devjava/ (a Java runtime and the classes: such
#      hosts have no JDK), the gpu-tagged Java tests: the kernels through JCuda, and CudaDriver +
#      TensorRtPipeline end to end against the CPU path.
# Output goes to stdout and, when OUT is set, to $OUT/device-check.log. Fails on any failed check.
#
# Usage: scripts/device-check.sh             env: NVCC=/path/to/nvcc, OUT=dir for the log
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/kernels/build"
LOG="${OUT:-$BUILD}/device-check.log"
mkdir -p "$BUILD" "$(dirname "$LOG")"
exec > >(tee "$LOG") 2>&1

NVCC="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
SANITIZER="$(dirname "$NVCC")/compute-sanitizer"
status=0
step() { printf '\n=== %s\n' "$*"; }

step "device"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || true
"$NVCC" --version | tail -2

step "build: fatbin (scripts/build-kernels.sh)"
t0=$(date +%s)
NVCC="$NVCC" "$ROOT/scripts/build-kernels.sh" --out "$BUILD" || exit 1
echo "built in $(( $(date +%s) - t0 )) s"
FATBIN="$BUILD/classpath/kernels/depthcast_kernels.fatbin"

step "build: device runner"
"$NVCC" -std=c++17 -O2 -Werror all-warnings -Xcompiler -Wall,-Wextra,-ffp-contract=off -I "$ROOT/kernels" \
  -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90 \
  "$ROOT/kernels/test/device_golden.cu" -o "$BUILD/device_golden" -lcuda || exit 1

step "golden vectors on the device"
"$BUILD/device_golden" "$FATBIN" "$ROOT/kernels/golden" || status=1

if [ -x "$SANITIZER" ]; then
  for tool in memcheck racecheck; do
    step "compute-sanitizer --tool $tool"
    timeout 240 "$SANITIZER" --tool "$tool" --error-exitcode 3 "$BUILD/device_golden" "$FATBIN" "$ROOT/kernels/golden" \
      | tail -4 || status=1
  done
else
  echo "compute-sanitizer not found beside nvcc: sanitizer runs skipped"
fi

step "bench and event-wait cost"
"$BUILD/device_golden" "$FATBIN" "$ROOT/kernels/golden" --bench --spin | sed -n '/^bench/,$p' || status=1
echo "-- again with the primary context set to CU_CTX_SCHED_BLOCKING_SYNC (as CudaDriver does):"
"$BUILD/device_golden" "$FATBIN" "$ROOT/kernels/golden" --spin --ctx-blocking | sed -n '/^spin/,$p' || status=1

if [ -x "$ROOT/.devjava/jre/bin/java" ]; then
  # The Java side of the GPU path, where scripts/device-java-bundle.sh packed a runtime and the classes.
  step "java: gpu-tagged tests (GoldenOnDeviceTest, PipelineOnDeviceTest) through JCuda"
  cp=""
  for j in "$ROOT"/.devjava/lib/*.jar; do cp="$cp:$j"; done
  (cd "$ROOT/engines/tensorrt" && "$ROOT/.devjava/jre/bin/java" -jar "$ROOT"/.devjava/lib/junit-platform-console-standalone-*.jar \
      execute --class-path "$BUILD/classpath$cp" --include-tag gpu \
      --select-class dev.depthcast.process.GoldenOnDeviceTest \
      --select-class dev.depthcast.backend.tensorrt.PipelineOnDeviceTest \
      --details=tree --disable-banner --fail-if-no-tests) || status=1
else
  echo "(no .devjava bundle: the Java GPU tests were not run; scripts/device-java-bundle.sh makes one)"
fi

step "result: $([ $status = 0 ] && echo PASS || echo FAIL)"
exit $status
