package dev.depthcast;

import dev.depthcast.backend.Backends;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.schedule.BatchCosts;
import dev.depthcast.schedule.ExecutorPool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What {@code GET /api/stats} says about the server as a whole: the backend, the model, the
 * settings that shape batching and the point cloud, and each device's load. A read-only view over
 * the config, the executors and the metrics; called on the event loop.
 */
final class ServerStats {

    private final ServerConfig config;
    private final PipelineMetrics metrics;
    private final ExecutorPool executors;
    private final StabilisationChoice stabilisation;
    private final BooleanSupplier draining;

    ServerStats(
            ServerConfig config,
            PipelineMetrics metrics,
            ExecutorPool executors,
            StabilisationChoice stabilisation,
            BooleanSupplier draining) {
        this.stabilisation = stabilisation;
        this.config = config;
        this.metrics = metrics;
        this.executors = executors;
        this.draining = draining;
    }

    /** Per device: ordinal, busy fraction, clients, batches and mean batch size (the last ~30 s). */
    List<Map<String, Object>> deviceInfo() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ExecutorPool.DeviceStats d : executors.stats()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", d.ordinal());
            m.put("busy", Math.round(d.busy() * 1000) / 1000.0);
            m.put("clients", d.clients());
            m.put("batches", metrics.deviceBatches(d.ordinal()));
            m.put("batchMean", metrics.deviceBatchMean(d.ordinal()));
            out.add(m);
        }
        return out;
    }

    Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        DepthPipeline pipeline = executors.devices().get(0).executor().pipeline();
        m.put("backend", pipeline.backendName());
        m.put("engine", pipeline.engine());
        if (executors.fault().isDone()) {
            m.put("fault", executors.fault().join().getMessage());
        }
        m.put("model", Backends.modelName(config));
        m.put("modelFile", Backends.modelFileName(config));
        m.put("preset", pipeline.preset().name());
        m.put("input", pipeline.preset().inputHeight() + "x" + pipeline.preset().inputWidth());
        m.put("modelOutput", pipeline.preset().output().label());
        m.put("stabilize", stabilisation.description());
        m.put("maxBatch", config.maxBatch());
        m.put("maxWaitMs", config.maxWait().toMillis());
        m.put("latencyBudgetMs", config.latencyBudget().toMillis());
        BatchCosts.Snapshot costs =
                executors.devices().get(0).executor().costs(); // device 0: the others are alike or listed in devices
        List<Object> costMs = new ArrayList<>();
        List<Boolean> measured = new ArrayList<>();
        for (int i = 0; i < costs.costMs().length; i++) {
            double ms = costs.costMs()[i];
            costMs.add(Double.isNaN(ms) ? null : Math.round(ms * 10) / 10.0);
            measured.add(costs.measured()[i]);
        }
        m.put("batchCostMs", costMs);
        m.put("batchCostMeasured", measured);
        m.put("maxClients", config.maxClients());
        m.put("stride", config.unproject().stride());
        m.put("wire", config.wire().name().toLowerCase());
        m.put("fov", config.unproject().hfovDegrees());
        m.put("devices", deviceInfo());
        m.put("draining", draining.getAsBoolean());
        m.put(
                "iceServers",
                config.ice().servers().stream().map(Object::toString).toList());
        m.put(
                "icePortRange",
                config.ice().portRange() == null
                        ? null
                        : config.ice().portRange().toString());
        m.put("announcedIp", config.ice().announcedIp());
        return m;
    }
}
