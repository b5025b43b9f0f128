# depthcast's container images, two targets:
#   cpu  the CPU backend with the embedded model on a JRE base (no GPU libraries); what
#        scripts/container-test.sh builds and streams through, and deploy/kubernetes/cpu runs
#   gpu  the TensorRT backend: TensorRT 10.15 and the CUDA 13 runtime come from the -Pgpu-redist
#        jars (README "What runs where"), so the base needs only the CUDA runtime; the NVIDIA
#        container toolkit mounts the driver. deploy/kubernetes runs it.
# Build with Docker or podman (docs/scaling.md, "Container images"):
#   docker build --target cpu -t depthcast:0.1.0-cpu .
#   docker build --target gpu -t depthcast:0.1.0 .
# The base images are build arguments: scripts/container-test.sh builds Debian ones with
# mmdebstrap and passes their names, so nothing comes from an image registry.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-noble
ARG GPU_RUNTIME_IMAGE=nvidia/cuda:13.0.1-runtime-ubuntu24.04

FROM ${BUILD_IMAGE} AS build
# Node.js for the page's build; a base that has it already (the Debian build base) skips apt.
RUN command -v npm >/dev/null \
 || (apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*)
WORKDIR /src
COPY . .
# Maven's and npm's downloads stay in cache mounts between builds on one machine (not in a layer).
RUN --mount=type=cache,target=/root/.m2 --mount=type=cache,target=/root/.npm \
    mvn -B -q -DskipTests -pl server package \
 && (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)

FROM build AS build-gpu
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -Pgpu-redist -pl server,engines/tensorrt -am package \
 && cp engines/tensorrt/target/depthcast-tensorrt.jar engines/tensorrt/target/lib/

FROM ${RUNTIME_IMAGE} AS cpu
# curl for the HEALTHCHECK and Kubernetes' preStop drain; the libraries libwebrtc's .so links
# (FACTS.md). A base that has them all (the Debian runtime base) skips apt.
RUN dpkg -s curl libpulse0 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libudev1 libdbus-1-3 >/dev/null 2>&1 \
 || (apt-get update -qq && apt-get install -y -qq --no-install-recommends curl \
       libpulse0 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libudev1 libdbus-1-3 \
     && rm -rf /var/lib/apt/lists/*) \
 && useradd --system --uid 10001 depthcast
WORKDIR /opt/depthcast
COPY --from=build /src/server/target/depthcast-server.jar /src/server/target/lib/ ./lib/
COPY --from=build /src/web/dist ./web
USER depthcast
EXPOSE 8080
# Heap and direct-memory caps as scripts/serve.sh sets them. DEPTHCAST_PORT is the port the
# HEALTHCHECK asks: set it with --port when the server listens elsewhere. UTF-8 output (the log's
# ellipses and names) without a locale package.
ENV DEPTHCAST_HEAP=2g DEPTHCAST_PORT=8080 LANG=C.UTF-8
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${DEPTHCAST_PORT}/health/live" || exit 1
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="depthcast (CPU)" \
      org.opencontainers.image.description="Live webcam video to live 3D point clouds: the CPU backend with the embedded depth model" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENTRYPOINT ["/bin/sh", "-c", "exec java -Xmx${DEPTHCAST_HEAP} -XX:MaxDirectMemorySize=512m -cp 'lib/*' dev.depthcast.ServeCommand --web-root /opt/depthcast/web \"$@\"", "depthcast"]

FROM ${GPU_RUNTIME_IMAGE} AS gpu
# The JRE (the CUDA base has none) and what the cpu target installs.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless curl \
      libpulse0 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libudev1 libdbus-1-3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 depthcast
WORKDIR /opt/depthcast
COPY --from=build-gpu /src/server/target/depthcast-server.jar /src/server/target/lib/ /src/engines/tensorrt/target/lib/ ./lib/
COPY --from=build /src/web/dist ./web
USER depthcast
EXPOSE 8080
# The TensorRT module on the classpath is what --backend tensorrt/auto finds (BackendProvider).
ENV DEPTHCAST_HEAP=2g DEPTHCAST_PORT=8080 LANG=C.UTF-8
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${DEPTHCAST_PORT}/health/live" || exit 1
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="depthcast (GPU)" \
      org.opencontainers.image.description="Live webcam video to live 3D point clouds: the TensorRT backend with the CUDA runtime" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENTRYPOINT ["/bin/sh", "-c", "exec java -Xmx${DEPTHCAST_HEAP} -XX:MaxDirectMemorySize=512m -cp 'lib/*' dev.depthcast.ServeCommand --web-root /opt/depthcast/web \"$@\"", "depthcast"]
