#!/usr/bin/env bash
# Benchmarks of the host pipeline stages (JMH, one thread, ms/op): preprocessing 640x480 -> 378x504,
# unprojection and msgpack encode/decode at ~21k and ~85k points. About 75 s on 2 cores.
#   scripts/bench.sh            full run (3 warm-up + 5 measured 1 s iterations per case, 1 fork)
#   scripts/bench.sh --quick    smoke run (1 + 3 iterations)
#   scripts/bench.sh encode     only benchmarks whose name matches the regex
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jar=scripts/loadtest/target/depthcast-loadtest.jar
if [[ ! -f $jar || -n $(find pom.xml server/pom.xml server/src/main scripts/client/pom.xml scripts/client/src/main scripts/loadtest/pom.xml scripts/loadtest/src/main \
      -newer "$jar" -print -quit) ]]; then
  echo "bench.sh: building (mvn package)…" >&2
  mvn -q -B -DskipTests -pl scripts/loadtest -am package >&2
fi
java_opts=()
if [[ $(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p') -ge 22 ]]; then
  java_opts+=(--enable-native-access=ALL-UNNAMED)
fi
exec java "${java_opts[@]}" -cp "$jar" dev.depthcast.bench.Bench "$@"
