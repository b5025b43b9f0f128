# depthcast on a GPU node (deploy/kubernetes/depthcast.yaml runs it). NOT BUILT HERE: the
# development and CI machines have no Docker and reach no image registry; the manifests that use
# it are validated offline instead (deploy/kubernetes/test). Build on a machine with Docker:
#   docker build -t depthcast:0.1.0 .
# TensorRT 10.15 and the CUDA 13 runtime come from the -Pgpu-redist jars (README "What runs
# where"), so the base needs only the CUDA runtime; the NVIDIA container toolkit mounts the driver.

FROM maven:3.9-eclipse-temurin-17 AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -Pgpu-redist -pl server,engines/tensorrt -am package \
 && (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)

FROM nvidia/cuda:13.0.1-runtime-ubuntu24.04
# JRE for the server; curl for the preStop drain; the libraries libwebrtc's .so links (FACTS.md).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless curl \
      libpulse0 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libudev1 libdbus-1-3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 depthcast
WORKDIR /opt/depthcast
COPY --from=build /src/server/target/depthcast-server.jar /src/engines/tensorrt/target/depthcast-tensorrt.jar ./
COPY --from=build /src/server/target/lib ./lib
COPY --from=build /src/engines/tensorrt/target/lib ./lib
COPY --from=build /src/web/dist ./web
USER depthcast
EXPOSE 8080
# Heap and direct-memory caps as scripts/serve.sh sets them; the TensorRT module on the classpath
# is what --backend tensorrt/auto finds (BackendProvider).
ENV DEPTHCAST_HEAP=2g
ENTRYPOINT ["/bin/sh", "-c", "exec java -Xmx${DEPTHCAST_HEAP} -XX:MaxDirectMemorySize=512m -cp 'depthcast-server.jar:depthcast-tensorrt.jar:lib/*' dev.depthcast.ServeCommand --web-root /opt/depthcast/web \"$@\"", "depthcast"]
