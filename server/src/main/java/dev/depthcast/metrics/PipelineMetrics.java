package dev.depthcast.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * Every pipeline stage timed separately (a slow frame then names its stage, where one end-to-end
 * time would only say that something was slow), in one Micrometer registry that
 * {@code GET /metrics} exposes to Prometheus and {@code GET /api/stats} summarises for the page.
 */
public final class PipelineMetrics {

    /** The stages of a frame's trip, in order. */
    public enum Stage {
        INGEST,
        QUEUE,
        PREPROCESS,
        INFERENCE,
        /** Fitting each frame to its session's depth reference (only where a stabiliser ran). */
        STABILIZE,
        UNPROJECT,
        ENCODE,
        SEND;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** Why a frame or result was not delivered. */
    public enum Drop {
        /** A newer frame replaced one still waiting in the client's mailbox. */
        MAILBOX_REPLACED,
        /** A newer result replaced one the client had not yet taken off the socket. */
        RESULT_SUPERSEDED,
        /** The model failed on the batch. */
        MODEL_ERROR,
        /** The client was gone by the time its result was ready. */
        CLIENT_GONE;

        public String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Stage, Timer> stages = new EnumMap<>(Stage.class);
    private final Map<Drop, Counter> drops = new EnumMap<>(Drop.class);
    private final DistributionSummary batchSize;
    private final Counter framesOut;
    private volatile IntSupplier sessions = () -> 0;
    private final Map<Integer, DistributionSummary> deviceBatchSize = new ConcurrentHashMap<>();

    public PipelineMetrics() {
        for (Stage s : Stage.values()) {
            stages.put(
                    s,
                    Timer.builder("depthcast.stage")
                            .description("time a frame spends in one pipeline stage")
                            .tag("stage", s.label())
                            .publishPercentiles(0.5, 0.95, 0.99)
                            .publishPercentileHistogram()
                            .minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
                            .maximumExpectedValue(Duration.ofSeconds(5))
                            .distributionStatisticExpiry(Duration.ofSeconds(30))
                            .register(registry));
        }
        for (Drop d : Drop.values()) {
            drops.put(
                    d,
                    Counter.builder("depthcast.dropped")
                            .description("frames or results not delivered")
                            .tag("reason", d.label())
                            .register(registry));
        }
        batchSize = DistributionSummary.builder("depthcast.batch.size")
                .description("frames per inference batch")
                .publishPercentiles(0.5)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32)
                .distributionStatisticExpiry(Duration.ofSeconds(30))
                .register(registry);
        framesOut = Counter.builder("depthcast.results")
                .description("point clouds sent")
                .register(registry);
        Gauge.builder("depthcast.sessions", this, m -> m.sessions())
                .description("open sessions")
                .register(registry);
        JvmGauges.bind(registry);
    }

    public void stage(Stage stage, double ms) {
        stages.get(stage).record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
    }

    /** The per-frame stages a frame has been through when its walk ends (delivered or not). */
    public void frameEnded(FrameTimes times, boolean encoded) {
        stage(Stage.INGEST, times.ingest());
        stage(Stage.QUEUE, times.queue());
        if (encoded) {
            stage(Stage.ENCODE, times.encode());
        }
    }

    /** A finished batch: its size and its stage times (once per batch, as they are shared). */
    public void batch(int size, double preprocessMs, double inferenceMs, double unprojectMs) {
        batch(0, size, preprocessMs, inferenceMs, unprojectMs);
    }

    /** A finished batch on device {@code device} ({@code --devices}): also counted per device. */
    public void batch(int device, int size, double preprocessMs, double inferenceMs, double unprojectMs) {
        deviceBatchSize(device).record(size);
        batchSize.record(size);
        stage(Stage.PREPROCESS, preprocessMs);
        stage(Stage.INFERENCE, inferenceMs);
        stage(Stage.UNPROJECT, unprojectMs);
    }

    void dropped(Drop reason, long count) {
        if (count > 0) {
            drops.get(reason).increment(count);
        }
    }

    /**
     * Registers one device's gauges: {@code depthcast_device_busy_ratio} (fraction of the last 2 s
     * spent running batches) and {@code depthcast_device_clients}, tagged {@code device="N"}.
     */
    public void device(int device, DoubleSupplier busy, IntSupplier clients) {
        String tag = Integer.toString(device);
        Gauge.builder("depthcast.device.busy.ratio", busy, DoubleSupplier::getAsDouble)
                .description("fraction of the last 2 s the device spent running batches")
                .tag("device", tag)
                .register(registry);
        Gauge.builder("depthcast.device.clients", clients, IntSupplier::getAsInt)
                .description("sessions placed on the device")
                .tag("device", tag)
                .register(registry);
        deviceBatchSize(device);
    }

    private DistributionSummary deviceBatchSize(int device) {
        return deviceBatchSize.computeIfAbsent(
                device,
                d -> DistributionSummary.builder("depthcast.device.batch.size")
                        .description("frames per inference batch on one device")
                        .tag("device", Integer.toString(d))
                        .publishPercentiles(0.5)
                        .serviceLevelObjectives(1, 2, 4, 8, 16, 32)
                        .distributionStatisticExpiry(Duration.ofSeconds(30))
                        .register(registry));
    }

    /** Mean frames per batch on a device over the last ~30 s (0 before its first batch). */
    public double deviceBatchMean(int device) {
        DistributionSummary s = deviceBatchSize.get(device);
        return s == null ? 0 : round(s.mean());
    }

    /** Batches a device has run. */
    public long deviceBatches(int device) {
        DistributionSummary s = deviceBatchSize.get(device);
        return s == null ? 0 : s.count();
    }

    public void resultSent() {
        framesOut.increment();
    }

    /**
     * One client's delivery meters, tagged {@code session} = {@code label}: results and bytes the
     * client acknowledged, ack round-trip time, and its link-adaptation level. Removed on
     * {@link ClientMeters#close()} so a finished session leaves no series behind.
     */
    public ClientMeters client(String label, IntSupplier level) {
        return new ClientMeters(label, level);
    }

    /** See {@link #client}. Thread-safe. */
    public final class ClientMeters implements AutoCloseable {
        private final Counter results;
        private final Counter bytes;
        private final Timer ackRtt;
        private final Gauge level;

        private ClientMeters(String label, IntSupplier levelNow) {
            results = Counter.builder("depthcast.client.delivered")
                    .description("results the client acknowledged")
                    .tag("session", label)
                    .register(registry);
            bytes = Counter.builder("depthcast.client.delivered.bytes")
                    .baseUnit("bytes")
                    .description("bytes of results the client acknowledged")
                    .tag("session", label)
                    .register(registry);
            ackRtt = Timer.builder("depthcast.client.ack.rtt")
                    .description("result written to the socket -> the client's ack read")
                    .tag("session", label)
                    .publishPercentiles(0.5, 0.95)
                    .distributionStatisticExpiry(Duration.ofSeconds(30))
                    .register(registry);
            level = Gauge.builder("depthcast.client.level", levelNow, s -> s.getAsInt())
                    .description("link-adaptation level: 0 = --stride, higher = coarser")
                    .tag("session", label)
                    .register(registry);
        }

        public void delivered(int messageBytes, long rttNanos) {
            results.increment();
            bytes.increment(messageBytes);
            if (rttNanos >= 0) {
                ackRtt.record(rttNanos, TimeUnit.NANOSECONDS);
            }
        }

        /** Median and p95 ack RTT over the last ~30 s, ms (NaN before the first ack). */
        public double[] ackRttMs() {
            double[] out = {Double.NaN, Double.NaN};
            if (ackRtt.count() == 0) {
                return out;
            }
            for (ValueAtPercentile v : ackRtt.takeSnapshot().percentileValues()) {
                out[v.percentile() < 0.9 ? 0 : 1] = round(v.value(TimeUnit.MILLISECONDS));
            }
            return out;
        }

        @Override
        public void close() {
            registry.remove(results);
            registry.remove(bytes);
            registry.remove(ackRtt);
            registry.remove(level);
        }
    }

    /** Where the open-session count comes from (the session registry's own map, not a second counter). */
    public void countSessionsWith(IntSupplier count) {
        this.sessions = count;
    }

    public int sessions() {
        return sessions.getAsInt();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    /** Median (and p95, p99) ms per stage over the last ~30 s, counts, drops: for /api/stats. */
    public Map<String, Object> summary() {
        Map<String, Object> stageMap = new LinkedHashMap<>();
        for (Stage s : Stage.values()) {
            Map<String, Object> one = new LinkedHashMap<>();
            for (ValueAtPercentile v : stages.get(s).takeSnapshot().percentileValues()) {
                String key = "p" + Math.round(v.percentile() * 100);
                one.put(key, round(v.value(TimeUnit.MILLISECONDS)));
            }
            one.put("count", stages.get(s).count());
            stageMap.put(s.label(), one);
        }
        Map<String, Object> dropMap = new LinkedHashMap<>();
        for (Drop d : Drop.values()) {
            dropMap.put(d.label(), (long) drops.get(d).count());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessions", sessions());
        out.put("results", (long) framesOut.count());
        out.put("batchMean", round(batchSize.mean()));
        out.put("stagesMs", stageMap);
        out.put("dropped", dropMap);
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
