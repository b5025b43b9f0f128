package dev.depthcast.config;

import dev.depthcast.calibration.CalibrationRecorder;
import dev.depthcast.model.Preset;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.schedule.SchedulingPolicy;
import dev.depthcast.wire.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the server is started with, built from the command line by {@code ServeCommand} or
 * by a test: {@code ServerConfig.builder().port(0).backend(Backend.CPU).build()}, or
 * {@code config.toBuilder().maxBatch(1).build()} for a variant. Immutable; {@link Builder#build()}
 * checks the values together and throws a {@link ConfigException} naming the flag.
 *
 * <p>Each default is a {@code DEFAULT_*} constant here, read both by the builder and by the command
 * line's annotations (which need compile-time constants: numbers, or the text a flag takes).
 */
public final class ServerConfig {

    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The command line's port; the builder's default is 0, an ephemeral port (tests, embedding). */
    public static final int DEFAULT_PORT = 8080;
    /** The command line's backend; the builder's default is {@link Backend#CPU}, which needs no probe. */
    public static final String DEFAULT_BACKEND = "auto";

    public static final int DEFAULT_MAX_BATCH = 8;
    public static final long DEFAULT_MAX_WAIT_MS = 4;
    public static final long DEFAULT_LATENCY_BUDGET_MS = SchedulingPolicy.DEFAULT_LATENCY_BUDGET_MS;
    public static final int DEFAULT_MAX_CLIENTS = 16;
    /** The command line's page; the builder's default is none (the API only). */
    public static final String DEFAULT_WEB_ROOT = "web/dist";
    /** {@code --stabilize}: relative depth is stabilised per session. */
    public static final String DEFAULT_STABILIZE = "on";
    /**
     * {@code --dense}: off until the page's dense drawing and its measurements are in
     * (docs/protocol.md, "Dense frames").
     */
    public static final String DEFAULT_DENSE = "off";

    /** {@code --wire}: schema 2. */
    public static final String DEFAULT_WIRE = "v2";

    public static final int DEFAULT_SEND_BUFFER_KB = 128;
    public static final int DEFAULT_DRAIN_SECONDS = 10;
    /** {@code --devices}: device 0 only. */
    public static final String DEFAULT_DEVICES = DeviceSelection.FIRST_TEXT;

    private final String host;
    private final int port;
    private final Path model;
    private final Preset preset;
    private final Backend backend;
    private final Path engine;
    private final EnginePrecision precision;
    private final int maxBatch;
    private final Duration maxWait;
    private final Duration latencyBudget;
    private final int maxClients;
    private final UnprojectParams unproject;
    private final Path webRoot;
    private final Path tlsCert;
    private final Path tlsKey;
    private final int inferenceThreads;
    private final SimulatedCost simulatedCost;
    private final CalibrationRecorder.Settings recordCalibration;
    private final DeviceSelection devices;
    private final Duration drainTime;
    private final IceConfig ice;
    private final WireFormat wire;
    private final DenseMode dense;
    private final boolean stabilize;
    private final int sendBufferBytes;

    private ServerConfig(Builder b) {
        this.host = Objects.requireNonNull(b.host, "host");
        this.port = b.port;
        this.model = b.model;
        this.preset = Objects.requireNonNull(b.preset, "preset");
        this.backend = Objects.requireNonNull(b.backend, "backend");
        this.engine = b.engine;
        this.precision = b.precision;
        this.maxBatch = b.maxBatch;
        this.maxWait = Objects.requireNonNull(b.maxWait, "maxWait");
        this.latencyBudget = Objects.requireNonNull(b.latencyBudget, "latencyBudget");
        this.maxClients = b.maxClients;
        this.unproject = Objects.requireNonNull(b.unproject, "unproject");
        this.webRoot = b.webRoot;
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.inferenceThreads = b.inferenceThreads;
        this.simulatedCost = b.simulatedCost;
        this.recordCalibration = b.recordCalibration;
        this.devices = Objects.requireNonNull(b.devices, "devices");
        this.drainTime = Objects.requireNonNull(b.drainTime, "drainTime");
        this.ice = Objects.requireNonNull(b.ice, "ice");
        this.wire = Objects.requireNonNull(b.wire, "wire");
        this.dense = Objects.requireNonNull(b.dense, "dense");
        this.stabilize = b.stabilize;
        this.sendBufferBytes = b.sendBufferBytes;
    }

    /** The command line's defaults, except an ephemeral port and the CPU backend (tests, embedding). */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code builder().build()}: the relief model on the CPU, ephemeral port. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    /** A builder holding this config's values, to change a few. */
    public Builder toBuilder() {
        return new Builder()
                .host(host)
                .port(port)
                .model(model)
                .preset(preset)
                .backend(backend)
                .engine(engine)
                .precision(precision)
                .maxBatch(maxBatch)
                .maxWait(maxWait)
                .latencyBudget(latencyBudget)
                .maxClients(maxClients)
                .unproject(unproject)
                .webRoot(webRoot)
                .tls(tlsCert, tlsKey)
                .inferenceThreads(inferenceThreads)
                .simulatedCost(simulatedCost)
                .recordCalibration(recordCalibration)
                .devices(devices)
                .drainTime(drainTime)
                .ice(ice)
                .wire(wire)
                .dense(dense)
                .stabilize(stabilize)
                .sendBufferBytes(sendBufferBytes);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** ONNX model path, or null for the embedded relief model. */
    public Path model() {
        return model;
    }

    public Preset preset() {
        return preset;
    }

    public Backend backend() {
        return backend;
    }

    /** TensorRT engine path for the tensorrt backend, or null for the default under engines/. */
    public Path engine() {
        return engine;
    }

    /** Which built CPU engine to serve when several match the model ({@code --precision}). */
    public EnginePrecision precision() {
        return precision;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public Duration maxWait() {
        return maxWait;
    }

    /** Ready-to-cloud time that batching may not exceed (see {@code SchedulingPolicy}). */
    public Duration latencyBudget() {
        return latencyBudget;
    }

    public int maxClients() {
        return maxClients;
    }

    public UnprojectParams unproject() {
        return unproject;
    }

    public Path webRoot() {
        return webRoot;
    }

    public Path tlsCert() {
        return tlsCert;
    }

    public Path tlsKey() {
        return tlsKey;
    }

    public int inferenceThreads() {
        return inferenceThreads;
    }

    /** Fixed + per-item cost of the simulated backend, or null for its default. */
    public SimulatedCost simulatedCost() {
        return simulatedCost;
    }

    /** Where and how many frames to record for INT8 calibration ({@code --record-calibration}), or null. */
    public CalibrationRecorder.Settings recordCalibration() {
        return recordCalibration;
    }

    /** {@code --devices}: which devices get an executor each (default: device 0 only). */
    public DeviceSelection devices() {
        return devices;
    }

    /** {@code --drain-seconds}: how long a draining node keeps serving its clients before it closes them. */
    public Duration drainTime() {
        return drainTime;
    }

    /** STUN/TURN servers, TURN credentials, port range, announced address ({@link IceConfig#NONE}: host candidates only). */
    public IceConfig ice() {
        return ice;
    }

    /** Whether a relative model's depth is stabilised per session ({@code --stabilize}). */
    public boolean stabilize() {
        return stabilize;
    }

    /** {@code on} or {@code off} (any case) of flag {@code flag}. */
    public static boolean parseOnOff(String flag, String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(flag + " " + value + " is not on or off");
        };
    }

    /** Whether sessions that ask get the dense video track ({@code --dense}). */
    public DenseMode dense() {
        return dense;
    }

    /** The point-cloud schema results are sent in ({@code --wire}). */
    public WireFormat wire() {
        return wire;
    }

    /** SO_SNDBUF of the server's sockets in bytes ({@code --send-buffer-kb}); 0 leaves the OS's auto-tuning. */
    public int sendBufferBytes() {
        return sendBufferBytes;
    }

    /** Collects the values; every one has a default (see {@link ServerConfig#builder()}). */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port;
        private Path model;
        private Preset preset = Preset.RELIEF;
        private Backend backend = Backend.CPU;
        private Path engine;
        private EnginePrecision precision = EnginePrecision.AUTO;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private Duration maxWait = Duration.ofMillis(DEFAULT_MAX_WAIT_MS);
        private Duration latencyBudget = Duration.ofMillis(DEFAULT_LATENCY_BUDGET_MS);
        private int maxClients = DEFAULT_MAX_CLIENTS;
        private UnprojectParams unproject = UnprojectParams.DEFAULT;
        private Path webRoot;
        private Path tlsCert;
        private Path tlsKey;
        private int inferenceThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private SimulatedCost simulatedCost;
        private CalibrationRecorder.Settings recordCalibration;
        private DeviceSelection devices = DeviceSelection.FIRST;
        private Duration drainTime = Duration.ofSeconds(DEFAULT_DRAIN_SECONDS);
        private IceConfig ice = IceConfig.NONE;
        private WireFormat wire = WireFormat.parse(DEFAULT_WIRE);
        private DenseMode dense = DenseMode.parse(DEFAULT_DENSE);
        private boolean stabilize = parseOnOff("--stabilize", DEFAULT_STABILIZE);
        private int sendBufferBytes = DEFAULT_SEND_BUFFER_KB * 1024;

        private Builder() {}

        public Builder recordCalibration(CalibrationRecorder.Settings value) {
            recordCalibration = value;
            return this;
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        /** An ONNX model file; null for the embedded relief model. */
        public Builder model(Path value) {
            model = value;
            return this;
        }

        public Builder preset(Preset value) {
            preset = value;
            return this;
        }

        public Builder backend(Backend value) {
            backend = value;
            return this;
        }

        /** The simulated backend with this batch cost (null: its default cost). */
        public Builder simulated(SimulatedCost cost) {
            backend = Backend.SIMULATED;
            simulatedCost = cost;
            return this;
        }

        public Builder simulatedCost(SimulatedCost value) {
            simulatedCost = value;
            return this;
        }

        public Builder engine(Path value) {
            engine = value;
            return this;
        }

        public Builder precision(EnginePrecision value) {
            precision = value;
            return this;
        }

        public Builder maxBatch(int value) {
            maxBatch = value;
            return this;
        }

        public Builder maxWait(Duration value) {
            maxWait = value;
            return this;
        }

        public Builder latencyBudget(Duration value) {
            latencyBudget = value;
            return this;
        }

        public Builder maxClients(int value) {
            maxClients = value;
            return this;
        }

        public Builder unproject(UnprojectParams value) {
            unproject = value;
            return this;
        }

        public Builder webRoot(Path value) {
            webRoot = value;
            return this;
        }

        /** Certificate and key (PEM) together, or both null for plain http. */
        public Builder tls(Path cert, Path key) {
            tlsCert = cert;
            tlsKey = key;
            return this;
        }

        public Builder inferenceThreads(int value) {
            inferenceThreads = value;
            return this;
        }

        public Builder devices(DeviceSelection value) {
            devices = value;
            return this;
        }

        public Builder drainTime(Duration value) {
            drainTime = value;
            return this;
        }

        public Builder ice(IceConfig value) {
            ice = value;
            return this;
        }

        /** Whether a relative model's depth is stabilised per session. */
        public Builder stabilize(boolean value) {
            stabilize = value;
            return this;
        }

        public Builder dense(DenseMode value) {
            dense = value;
            return this;
        }

        public Builder wire(WireFormat value) {
            wire = value;
            return this;
        }

        public Builder sendBufferBytes(int value) {
            sendBufferBytes = value;
            return this;
        }

        /** @throws ConfigException naming the flag whose value is out of range */
        public ServerConfig build() {
            validate();
            return new ServerConfig(this);
        }

        /** The checks of the values together, each naming its flag. */
        private void validate() {
            Objects.requireNonNull(ice, "ice");
            Objects.requireNonNull(maxWait, "maxWait");
            Objects.requireNonNull(latencyBudget, "latencyBudget");
            Objects.requireNonNull(drainTime, "drainTime");
            if (drainTime.isNegative()) {
                throw new ConfigException("--drain-seconds must be >= 0");
            }
            if (sendBufferBytes < 0) {
                throw new ConfigException("--send-buffer-kb must be >= 0 (0: the OS default)");
            }
            if (maxBatch < 1 || maxBatch > 64) {
                throw new ConfigException("--max-batch must be 1..64, got " + maxBatch);
            }
            if (maxWait.isNegative()) {
                throw new ConfigException("--max-wait-ms must be >= 0");
            }
            if (latencyBudget.isNegative() || latencyBudget.isZero()) {
                throw new ConfigException("--latency-budget-ms must be > 0");
            }
            if (maxClients < 1) {
                throw new ConfigException("--max-clients must be >= 1");
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new ConfigException("--tls-cert and --tls-key go together");
            }
            if (inferenceThreads < 1) {
                throw new ConfigException("--threads must be >= 1");
            }
            if (ice.portRange() != null && ice.portRange().size() < maxClients) {
                throw new ConfigException("--ice-port-range " + ice.portRange() + " has "
                        + ice.portRange().size() + " ports but --max-clients is " + maxClients
                        + ": each session needs a port of its own");
            }
        }
    }
}
