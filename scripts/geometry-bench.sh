#!/usr/bin/env bash
# Ground-truth geometry benchmark: a rendered room with a ball that approaches and recedes, a model runtime whose
# output is the scene's true depth (metric) or its true inverse depth under per-frame scale/shift drift (relative),
# run inside a real in-process server; a webrtc-java client sends the clip and every result is scored against the
# truth. Prints a table (static-region stability, depth and point errors, the field of view's effect) and JSON.
#   scripts/geometry-bench.sh                  relative (stabilize off, on), metric (hfov sent, not sent); 12 s clip
#   scripts/geometry-bench.sh --assert         exit 1 unless the targets are met (README: Geometry you can trust)
#   scripts/geometry-bench.sh --seconds 6 --runs relative-off --y4m room.y4m
#   scripts/geometry-bench.sh --runs none --y4m room.y4m    only write the clip (Chromium's fake camera)
# All options: --help
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jar=scripts/loadtest/target/depthcast-loadtest.jar
if [[ ! -f $jar || -n $(find pom.xml server/pom.xml server/src/main scripts/client/pom.xml scripts/client/src/main scripts/loadtest/pom.xml scripts/loadtest/src/main \
      -newer "$jar" -print -quit) ]]; then
  echo "geometry-bench.sh: building (mvn package)…" >&2
  mvn -q -B -DskipTests -pl scripts/loadtest -am package >&2
  touch "$jar" # maven leaves an up-to-date jar untouched; its time must pass the check above next time
fi
java_opts=(${JAVA_OPTS:-})
if [[ $(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p') -ge 22 ]]; then
  java_opts+=(--enable-native-access=ALL-UNNAMED)
fi
exec java "${java_opts[@]}" -cp "$jar" dev.depthcast.groundtruth.GeometryBench "$@"
