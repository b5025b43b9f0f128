#!/usr/bin/env bash
# Packs what the Java GPU tests need for a GPU host that has the CUDA toolkit but no JDK (the lent
# device machines): a jlink'ed Java runtime, JCuda, JUnit's console launcher and the classes of the
# server and of engines/tensorrt with their tests, into .devjava/ (git-ignored; ~50 MB).
# scripts/device-check.sh then also runs the gpu-tagged Java tests there: GoldenOnDeviceTest (the
# kernels through JCuda) and PipelineOnDeviceTest (CudaDriver + TensorRtPipeline end to end, with a
# stand-in for TensorRT, against the CPU path).
#
# Usage: scripts/device-java-bundle.sh      (after mvn test-compile; needs a JDK with jmods and jlink)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=.devjava
JDK="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
M2="${M2_REPO:-$HOME/.m2/repository}"

mvn -q -B -o -pl server,engines/tensorrt -am test-compile
rm -rf "$OUT" && mkdir -p "$OUT/lib"
"$JDK/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.unsupported --strip-debug \
  --no-header-files --no-man-pages --compress=2 --output "$OUT/jre"
for d in server/target/classes server/target/test-classes engines/tensorrt/target/classes engines/tensorrt/target/test-classes; do
  "$JDK/bin/jar" --create --file "$OUT/lib/$(echo "$d" | tr / -).jar" -C "$d" .
done
for a in org/jcuda/jcuda/12.6.0/jcuda-12.6.0.jar org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar \
         org/slf4j/slf4j-api/2.0.16/slf4j-api-2.0.16.jar org/slf4j/slf4j-simple/2.0.16/slf4j-simple-2.0.16.jar \
         org/junit/platform/junit-platform-console-standalone/1.11.4/junit-platform-console-standalone-1.11.4.jar; do
  [[ -f $M2/$a ]] || mvn -q -B dependency:get -Dartifact="$(echo "$a" | awk -F/ '{n=NF; v=$(n-1); art=$(n-2); g=$1; for(i=2;i<=n-3;i++) g=g"."$i; c=""; if ($n ~ /linux-x86_64/) c=":jar:linux-x86_64"; print g":"art":"v c}')"
  cp "$M2/$a" "$OUT/lib/"
done
grep -qx '/.devjava/' .git/info/exclude 2>/dev/null || echo '/.devjava/' >> .git/info/exclude
du -sh "$OUT"
