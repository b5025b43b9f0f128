package dev.depthcast.schedule;

import dev.depthcast.backend.PipelineFault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One inference executor per device ({@code --devices}) and where each session runs: a session
 * is placed at admission on the device with the most headroom ({@link Placement}) and stays there
 * for its life — its frames, batches and buffers never move, so no device waits on another.
 */
public final class ExecutorPool implements AutoCloseable {

    /** A device and the executor that owns it. */
    public record Device(int ordinal, InferenceExecutor executor) {}

    /** One device's numbers, for /api/stats and /metrics. */
    public record DeviceStats(int ordinal, double busy, int clients) {}

    private record Placed(int index, long atNanos) {}

    private final List<Device> devices;
    private final LongSupplier clock;
    private final Map<String, Placed> placed = new ConcurrentHashMap<>();
    private final CompletableFuture<PipelineFault> fault = new CompletableFuture<>();

    public ExecutorPool(List<Device> devices) {
        this(devices, System::nanoTime);
    }

    /** @param clock nanoseconds, for the busy meters and placement times (a fake one in tests) */
    public ExecutorPool(List<Device> devices, LongSupplier clock) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device");
        }
        this.devices = List.copyOf(devices);
        this.clock = clock;
        for (Device d : this.devices) {
            d.executor().fault().thenAccept(fault::complete);
        }
    }

    /**
     * Chooses the device for session {@code id} and returns its executor (register the client's
     * slot there). Synchronized: two admissions at once must each see the other's placement.
     */
    public synchronized InferenceExecutor place(String id) {
        long now = clock.getAsLong();
        int[] settled = new int[devices.size()];
        int[] fresh = new int[devices.size()];
        for (Placed p : placed.values()) {
            if (now - p.atNanos() >= BusyMeter.WINDOW_NANOS) {
                settled[p.index()]++;
            } else {
                fresh[p.index()]++;
            }
        }
        List<Placement.DeviceView> views = new ArrayList<>(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            views.add(new Placement.DeviceView(d.ordinal(), d.executor().busy().fraction(now), settled[i], fresh[i]));
        }
        int chosen = Placement.choose(views);
        placed.put(id, new Placed(chosen, now));
        return devices.get(chosen).executor();
    }

    /** The session left (or never opened): it no longer counts on its device, and its slot is unregistered. */
    public void release(String id) {
        Placed p = placed.remove(id);
        if (p != null) {
            devices.get(p.index()).executor().unregister(id);
        }
    }

    /** The device ordinal session {@code id} runs on, or -1. */
    public int deviceOf(String id) {
        Placed p = placed.get(id);
        return p == null ? -1 : devices.get(p.index()).ordinal();
    }

    public List<Device> devices() {
        return devices;
    }

    public List<DeviceStats> stats() {
        long now = clock.getAsLong();
        int[] clients = new int[devices.size()];
        for (Placed p : placed.values()) {
            clients[p.index()]++;
        }
        List<DeviceStats> out = new ArrayList<>(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            out.add(new DeviceStats(d.ordinal(), d.executor().busy().fraction(now), clients[i]));
        }
        return out;
    }

    /** The first device whose pipeline faulted for good; the process stops then (README: When the GPU fails). */
    public CompletableFuture<PipelineFault> fault() {
        return fault;
    }

    /** Closes every executor (each closes its pipeline). */
    @Override
    public void close() {
        for (Device d : devices) {
            d.executor().close();
        }
    }
}
