#!/usr/bin/env bash
# Per-frame ms of the CPU backend's FP32 and INT8 engines through the serving path (preprocess,
# inference, unproject), at each size and at batch 1 and the batch size the server learns; engines
# alternate run by run; medians of 3 rounds. Build the engines first, e.g.
#   scripts/make-models.py --vit-s models-local/da2-vits-shaped.onnx
#   scripts/build-engine.sh --backend cpu --preset depth-anything-v2 --onnx models-local/da2-vits-shaped.onnx \
#       --precision both --calib-images FRAMES            # and again with --input-size 266x350
#   scripts/cpu-engine-bench.sh --onnx models-local/da2-vits-shaped.onnx [--sizes 378x504,266x350] [--rounds 3]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jar=scripts/loadtest/target/depthcast-loadtest.jar
if [[ ! -f $jar || -n $(find pom.xml server/pom.xml server/src/main scripts/client/pom.xml scripts/client/src/main scripts/loadtest/pom.xml scripts/loadtest/src/main \
      -newer "$jar" -print -quit) ]]; then
  echo "cpu-engine-bench.sh: building (mvn package)…" >&2
  mvn -q -B -DskipTests -pl scripts/loadtest -am package >&2
  touch "$jar"
fi
exec java ${JAVA_OPTS:-} -cp "$jar" dev.depthcast.bench.CpuEngineBench "$@"
