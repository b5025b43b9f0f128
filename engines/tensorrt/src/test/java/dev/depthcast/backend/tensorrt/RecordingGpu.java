package dev.depthcast.backend.tensorrt;

import dev.depthcast.backend.cuda.GpuOps;
import dev.depthcast.backend.cuda.KernelSources;
import dev.depthcast.backend.cuda.LaunchGeometry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fake device for the pipeline's orchestration tests: memory is byte arrays (copies really copy,
 * kernels do nothing, so counts stay 0), every call is logged in order, and every launch is checked
 * against the kernel's signature in kernels/*.cu (argument count and pointer/int/float kinds).
 */
final class RecordingGpu implements GpuOps {

    record Op(String kind, Stream stream, String what, Object[] args) {
        @Override
        public String toString() {
            return kind + "@" + stream + ":" + what;
        }
    }

    static final class FakeDevice implements Device {
        final long address;
        final byte[] memory;

        FakeDevice(long address, long bytes) {
            this.address = address;
            this.memory = new byte[Math.toIntExact(bytes)];
        }

        @Override
        public long address() {
            return address;
        }

        @Override
        public long bytes() {
            return memory.length;
        }
    }

    static final class FakePinned implements Pinned {
        final ByteBuffer view;

        FakePinned(long bytes) {
            view = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public ByteBuffer view() {
            return view;
        }

        @Override
        public long bytes() {
            return view.capacity();
        }
    }

    static final class FakeEvent implements Event {
        final int id;
        final EventUse use;
        /** The stream it was last recorded on. */
        Stream recordedOn;

        FakeEvent(int id, EventUse use) {
            this.id = id;
            this.use = use;
        }

        @Override
        public String toString() {
            return "event" + id;
        }
    }

    final List<Op> ops = new ArrayList<>();
    final List<FakeDevice> devices = new ArrayList<>();
    final List<FakePinned> pinned = new ArrayList<>();
    int deviceAllocations;
    int pinnedAllocations;
    int frees;
    int events;
    boolean closed;
    /** When set, the next event synchronize throws it (a device fault surfacing at the wait). */
    RuntimeException failNextSync;

    private long nextAddress = 0x7f00_0000_0000L;
    private final Map<String, KernelSources.Signature> kernels = KernelSources.kernels();

    @Override
    public Device allocDevice(long bytes) {
        FakeDevice d = new FakeDevice(nextAddress, bytes);
        nextAddress += (bytes + 0xfff) & ~0xfffL;
        devices.add(d);
        deviceAllocations++;
        return d;
    }

    @Override
    public Pinned allocPinned(long bytes) {
        FakePinned p = new FakePinned(bytes);
        pinned.add(p);
        pinnedAllocations++;
        return p;
    }

    @Override
    public void free(Device b) {
        if (!devices.remove(b)) {
            throw new AssertionError("double free");
        }
        frees++;
    }

    @Override
    public void free(Pinned b) {
        if (!pinned.remove(b)) {
            throw new AssertionError("double free");
        }
        frees++;
    }

    @Override
    public void copyToDevice(Device dst, Pinned src, long bytes, Stream s) {
        FakeDevice d = live(dst);
        if (bytes > d.bytes() || bytes > src.bytes()) {
            throw new AssertionError("H2D of " + bytes + " bytes into " + d.bytes() + " from " + src.bytes());
        }
        src.view().get(0, d.memory, 0, (int) bytes);
        ops.add(new Op("H2D", s, Long.toString(bytes), new Object[] {dst, src}));
    }

    @Override
    public void copyToHost(Pinned dst, Device src, long bytes, Stream s) {
        FakeDevice d = live(src);
        if (bytes > d.bytes() || bytes > dst.bytes()) {
            throw new AssertionError("D2H of " + bytes + " bytes from " + d.bytes() + " into " + dst.bytes());
        }
        dst.view().put(0, d.memory, 0, (int) bytes);
        ops.add(new Op("D2H", s, Long.toString(bytes), new Object[] {dst, src}));
    }

    private FakeDevice live(Device d) {
        if (!devices.contains(d)) {
            throw new AssertionError("use of a freed or foreign device buffer");
        }
        return (FakeDevice) d;
    }

    @Override
    public Event event(EventUse use) {
        events++;
        return new FakeEvent(events, use);
    }

    @Override
    public void record(Event e, Stream s) {
        ((FakeEvent) e).recordedOn = s;
        ops.add(new Op("RECORD", s, e.toString(), new Object[] {e}));
    }

    @Override
    public void waitFor(Stream s, Event e) {
        ops.add(new Op("WAIT", s, e.toString(), new Object[] {e}));
    }

    @Override
    public void synchronize(Event e) {
        if (((FakeEvent) e).use != EventUse.HOST_WAIT) {
            throw new AssertionError(e + " is waited on by the host but was created " + ((FakeEvent) e).use
                    + ": cuEventSynchronize would spin a core");
        }
        ops.add(new Op("SYNC", null, e.toString(), new Object[] {e}));
        if (failNextSync != null) {
            RuntimeException f = failNextSync;
            failNextSync = null;
            throw f;
        }
    }

    @Override
    public void synchronize(Stream s) {
        ops.add(new Op("SYNC", s, "stream", new Object[0]));
    }

    /** Every stage takes 1 ms; the events must allow timing and come from one stream. */
    @Override
    public float elapsedMs(Event from, Event to) {
        FakeEvent a = (FakeEvent) from;
        FakeEvent b = (FakeEvent) to;
        if (a.use == EventUse.ORDER || b.use == EventUse.ORDER) {
            throw new AssertionError("elapsed time between events created without timing");
        }
        if (a.recordedOn == null || a.recordedOn != b.recordedOn) {
            throw new AssertionError("elapsed time from " + a + " on " + a.recordedOn + " to " + b + " on "
                    + b.recordedOn + ": across streams it includes the wait for the other stream");
        }
        return 1f;
    }

    @Override
    public void launch(String kernel, LaunchGeometry.Launch g, Stream s, Object... args) {
        KernelSources.Signature sig = kernels.get(kernel);
        if (sig == null) {
            throw new AssertionError("no kernel " + kernel + " in kernels/*.cu");
        }
        if (sig.parameterTypes().size() != args.length) {
            throw new AssertionError(
                    kernel + " takes " + sig.parameterTypes() + ", launched with " + args.length + " args");
        }
        for (int i = 0; i < args.length; i++) {
            String type = sig.parameterTypes().get(i);
            boolean ok = sig.pointer(i)
                    ? args[i] instanceof Device && devices.contains(args[i])
                    : type.equals("int")
                            ? args[i] instanceof Integer
                            : type.equals("float") && args[i] instanceof Float;
            if (!ok) {
                throw new AssertionError(kernel + " parameter " + i + " (" + type + ") got " + args[i]);
            }
        }
        ops.add(new Op("LAUNCH", s, kernel, new Object[] {g, args}));
    }

    void engineOp(String what, long streamHandle) {
        ops.add(new Op(
                "ENQUEUE",
                streamHandle == streamHandle(Stream.COMPUTE) ? Stream.COMPUTE : Stream.UPLOAD,
                what,
                new Object[0]));
    }

    @Override
    public long streamHandle(Stream s) {
        return s == Stream.COMPUTE ? 0xC0 : 0x0D;
    }

    @Override
    public void makeCurrent() {
        ops.add(new Op("CURRENT", null, Thread.currentThread().getName(), new Object[0]));
    }

    @Override
    public String describe() {
        return "fake GPU (sm_89)";
    }

    @Override
    public void close() {
        closed = true;
    }

    List<Op> on(Stream s) {
        return ops.stream().filter(o -> o.stream() == s).toList();
    }

    void clear() {
        ops.clear();
    }
}
