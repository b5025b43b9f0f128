package dev.depthcast.config;

import dev.depthcast.model.Preset;
import dev.depthcast.process.UnprojectParams;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server is started with (built from the command line by {@code ServeCommand}).
 *
 * @param model ONNX model path, or null for the embedded relief model
 * @param engine TensorRT engine path for the tensorrt backend, or null for the default under engines/
 * @param backend auto | cpu | tensorrt | simulated
 * @param simulatedCost fixed + per-item cost of the simulated backend, or null
 */
public record ServerConfig(String host, int port, Path model, Preset preset, String backend, Path engine,
                           int maxBatch, Duration maxWait, int maxClients, UnprojectParams unproject,
                           Path webRoot, Path tlsCert, Path tlsKey, int inferenceThreads,
                           SimulatedCost simulatedCost) {

    public ServerConfig {
        if (maxBatch < 1 || maxBatch > 64) {
            throw new IllegalArgumentException("--max-batch must be 1..64, got " + maxBatch);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("--max-wait-ms must be >= 0");
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("--max-clients must be >= 1");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
    }

    /** Defaults for tests and embedding: the relief model on the CPU, ephemeral port. */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 0, null, Preset.RELIEF, "cpu", null, 8, Duration.ofMillis(4), 16,
                UnprojectParams.DEFAULT, null, null, null, Math.max(1, Runtime.getRuntime().availableProcessors()),
                null);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, model, preset, backend, engine, maxBatch, maxWait, maxClients,
                unproject, webRoot, tlsCert, tlsKey, inferenceThreads, simulatedCost);
    }

    public ServerConfig withBackend(String newBackend, SimulatedCost cost) {
        return new ServerConfig(host, port, model, preset, newBackend, engine, maxBatch, maxWait, maxClients,
                unproject, webRoot, tlsCert, tlsKey, inferenceThreads, cost);
    }

    public ServerConfig withScheduling(int newMaxBatch, Duration newMaxWait, int newMaxClients) {
        return new ServerConfig(host, port, model, preset, backend, engine, newMaxBatch, newMaxWait, newMaxClients,
                unproject, webRoot, tlsCert, tlsKey, inferenceThreads, simulatedCost);
    }

    public ServerConfig withModel(Path newModel, Preset newPreset) {
        return new ServerConfig(host, port, newModel, newPreset, backend, engine, maxBatch, maxWait, maxClients,
                unproject, webRoot, tlsCert, tlsKey, inferenceThreads, simulatedCost);
    }

    public ServerConfig withUnproject(UnprojectParams params) {
        return new ServerConfig(host, port, model, preset, backend, engine, maxBatch, maxWait, maxClients,
                params, webRoot, tlsCert, tlsKey, inferenceThreads, simulatedCost);
    }

    public ServerConfig withWebRoot(Path root) {
        return new ServerConfig(host, port, model, preset, backend, engine, maxBatch, maxWait, maxClients,
                unproject, root, tlsCert, tlsKey, inferenceThreads, simulatedCost);
    }

    /** GPU-like batch economics for the simulated backend: fixed launch cost + a small cost per item. */
    public record SimulatedCost(double fixedMs, double perItemMs) {

        /** Parses "FIXED+PER_ITEM" in ms, e.g. "20+2". */
        public static SimulatedCost parse(String text) {
            String[] parts = text.trim().split("\\+");
            try {
                if (parts.length == 2) {
                    SimulatedCost c = new SimulatedCost(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
                    if (c.fixedMs >= 0 && c.perItemMs >= 0) {
                        return c;
                    }
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new IllegalArgumentException("simulated cost must be FIXED+PER_ITEM in ms, e.g. 20+2; got '"
                    + text + "'");
        }

        public double costMs(int batch) {
            return fixedMs + perItemMs * batch;
        }
    }
}
