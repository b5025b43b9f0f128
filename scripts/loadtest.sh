#!/usr/bin/env bash
# Load test a running depthcast server: N webrtc-java clients streaming a synthetic pattern, each
# result matched to its source frame. Builds the tool first if needed. All options: --help
#   scripts/loadtest.sh --url http://127.0.0.1:8080 --clients 4 --fps 30 --duration 20s
# Reports (JSON + HTML plot) go to loadtest-out/ unless --out says otherwise.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=$root/scripts/loadtest/target/depthcast-loadtest.jar
if [[ ! -f $jar || -n $(cd "$root" && find pom.xml server/pom.xml server/src/main scripts/client/pom.xml scripts/client/src/main scripts/loadtest/pom.xml \
      scripts/loadtest/src/main -newer "$jar" -print -quit) ]]; then
  echo "loadtest.sh: building the load tester (mvn package)…" >&2
  (cd "$root" && mvn -q -B -DskipTests -pl scripts/loadtest -am package) >&2
  touch "$jar" # maven leaves an up-to-date jar untouched; its time must pass the check above next time
fi
java_opts=(${JAVA_OPTS:-})
if [[ $(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p') -ge 22 ]]; then
  java_opts+=(--enable-native-access=ALL-UNNAMED)
fi
exec java "${java_opts[@]}" -jar "$jar" "$@"
