package dev.depthcast.backend.cuda;

import java.nio.ByteBuffer;

/**
 * What the CUDA pipeline needs from the device, as plain Java types: implemented by
 * {@link CudaDriver} over JCuda on a GPU host, and by a recording fake in the tests, which checks
 * the pipeline's orchestration (stream order, events, copy sizes, kernel arguments against the
 * .cu signatures, no allocation per batch) without a device.
 */
public interface GpuOps extends AutoCloseable {

    /** A device allocation; {@link #address()} is the raw device pointer (for TensorRT). */
    interface Device {
        long address();

        long bytes();
    }

    /** Page-locked host memory with a little-endian view. */
    interface Pinned {
        ByteBuffer view();

        long bytes();
    }

    /** A CUDA event. */
    interface Event {}

    /** What an event is for, which sets how the driver creates it. */
    enum EventUse {
        /** Only orders work between streams: no timestamps (CU_EVENT_DISABLE_TIMING, the cheapest). */
        ORDER,
        /** A stage boundary: timestamps, read with {@link #elapsedMs} against an event on the same stream. */
        TIMING,
        /**
         * Waited on by a host thread ({@link #synchronize(Event)}): timestamps, and the waiting thread
         * sleeps (CU_EVENT_BLOCKING_SYNC). A default event makes cuEventSynchronize spin: measured on an
         * H200, a whole core for the whole wait (kernels/README.md), a core the WebRTC decoders need.
         */
        HOST_WAIT
    }

    /** The two streams: kernels + TensorRT in order on COMPUTE; host-to-device copies on UPLOAD. */
    enum Stream {
        COMPUTE,
        UPLOAD
    }

    Device allocDevice(long bytes);

    Pinned allocPinned(long bytes);

    void free(Device b);

    void free(Pinned b);

    void copyToDevice(Device dst, Pinned src, long bytes, Stream s);

    void copyToHost(Pinned dst, Device src, long bytes, Stream s);

    Event event(EventUse use);

    void record(Event e, Stream s);

    /** Work queued on {@code s} after this call waits for {@code e} (a never-recorded event is no wait). */
    void waitFor(Stream s, Event e);

    void synchronize(Event e);

    void synchronize(Stream s);

    /** Time between two events recorded on the same stream (on two streams it would include waits). */
    float elapsedMs(Event from, Event to);

    /** Arguments in the kernel's order: {@link Device} (its pointer), Integer, Float. */
    void launch(String kernel, LaunchGeometry.Launch g, Stream s, Object... args);

    /** The raw CUstream handle (for TensorRT's enqueueV3). */
    long streamHandle(Stream s);

    /** Makes the device's context current on the calling thread. */
    void makeCurrent();

    /** "NVIDIA GeForce RTX 4090 (sm_89, 128 SMs)". */
    String describe();

    @Override
    void close();
}
