package dev.depthcast;

import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.delivery.ResultDelivery;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.schedule.BatchCosts;
import dev.depthcast.schedule.ExecutorPool;
import dev.depthcast.schedule.InferenceExecutor;
import dev.depthcast.schedule.SchedulingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The inference side of the server: per device, a {@link ResultDelivery} and an
 * {@link InferenceExecutor} over that device's pipeline, all in one {@link ExecutorPool}. Each
 * device owns its pipeline, its thread, its batches and the batch costs measured on it, so no
 * device waits on another. Built and closed by {@link DepthcastServer}'s start and stop.
 */
final class DeviceAssembly implements AutoCloseable {

    private final List<ResultDelivery> deliveries;
    private final ExecutorPool executors;

    private DeviceAssembly(List<ResultDelivery> deliveries, ExecutorPool executors) {
        this.deliveries = deliveries;
        this.executors = executors;
    }

    /**
     * Builds one executor and delivery stage per pipeline and registers each device's gauges.
     * Takes ownership of {@code pipelines} even when it throws: whatever it had built is closed
     * then, and so is every pipeline, so a failed start leaves no thread and no device handle.
     *
     * @param costs the batch costs measured on each pipeline's device, in the same order
     */
    static DeviceAssembly open(
            ServerConfig config,
            PipelineMetrics metrics,
            List<DepthPipeline> pipelines,
            SchedulingPolicy policy,
            List<BatchCosts> costs) {
        List<ResultDelivery> deliveries = new ArrayList<>();
        List<ExecutorPool.Device> devices = new ArrayList<>();
        int handedOver = 0;
        try {
            List<Integer> ordinals = deviceOrdinals(config, pipelines.size());
            for (int i = 0; i < pipelines.size(); i++) {
                DepthPipeline pipeline = pipelines.get(i);
                int ordinal = ordinals.get(i);
                ResultDelivery delivery = ResultDelivery.builder()
                        .setMetrics(metrics)
                        .setModel(pipeline.preset().name())
                        .setBackend(pipeline.backendName())
                        .optDevice(ordinal)
                        .setFormat(config.wire())
                        .build()
                        .start();
                deliveries.add(delivery);
                devices.add(new ExecutorPool.Device(
                        ordinal,
                        InferenceExecutor.builder()
                                .setPipeline(pipeline)
                                .setPolicy(policy)
                                .optCosts(costs.get(i))
                                .setDelivery(delivery)
                                .optDevice(ordinal)
                                .build()
                                .start()));
                handedOver = i + 1;
            }
            ExecutorPool executors = new ExecutorPool(devices);
            for (ExecutorPool.Device d : devices) {
                metrics.device(
                        d.ordinal(), () -> d.executor().busy().fraction(System.nanoTime()), d.executor()::clients);
            }
            return new DeviceAssembly(List.copyOf(deliveries), executors);
        } catch (RuntimeException | Error e) {
            devices.forEach(d -> d.executor().close()); // each closes its pipeline
            deliveries.forEach(ResultDelivery::close);
            pipelines.subList(handedOver, pipelines.size()).forEach(DepthPipeline::close);
            throw e;
        }
    }

    /** The ordinals {@code --devices} resolved to (one pipeline each, in order; CPU: just 0). */
    static List<Integer> deviceOrdinals(ServerConfig config, int opened) {
        if (opened == 1) {
            return List.of(
                    config.devices().all() || config.devices().ordinals().size() != 1
                            ? 0
                            : config.devices().ordinals().get(0));
        }
        return config.devices().all()
                ? IntStream.range(0, opened).boxed().toList()
                : config.devices().ordinals();
    }

    ExecutorPool executors() {
        return executors;
    }

    /** Stops the executors (each closes its pipeline), then the delivery stages they handed results to. */
    @Override
    public void close() {
        executors.close();
        deliveries.forEach(ResultDelivery::close);
    }
}
