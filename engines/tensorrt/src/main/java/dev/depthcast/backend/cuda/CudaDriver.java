package dev.depthcast.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUctx_flags;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The one class that calls JCuda (driver API, org.jcuda:jcuda 12.6.0). Everything else of the
 * CUDA pipeline is plain Java over the handles it returns. Checked on a GPU (an H200) by the
 * device tests that scripts/device-check.sh runs: {@code GoldenOnDeviceTest} (the kernels through
 * this class over the golden vectors) and {@code PipelineOnDeviceTest} (the whole pipeline with a
 * stand-in in place of TensorRT). Loaded only behind the probe
 * (dev.depthcast.backend.tensorrt.GpuProbe): on a machine without a driver, loading JCudaDriver
 * throws UnsatisfiedLinkError.
 *
 * <ul>
 *   <li>Context: the device's <em>primary</em> context ({@code cuDevicePrimaryCtxRetain}), the one
 *       the CUDA runtime and so TensorRT use, so device pointers are valid in both libraries.</li>
 *   <li>Module: the fatbin from the classpath ({@code cuModuleLoadData}, no NVRTC).</li>
 *   <li>Streams: {@code compute} (kernels and TensorRT's enqueueV3, in order) and {@code upload}
 *       (host-to-device copies only, so the copy engine fills the next batch during inference);
 *       both non-blocking with respect to the legacy default stream.</li>
 *   <li>Memory: device buffers and pinned host buffers, allocated by the pipeline once.</li>
 * </ul>
 * Error codes are checked on every call (JCuda's global exception switch is left alone).
 */
public final class CudaDriver implements GpuOps {

    /** A device allocation; {@link #address()} is the raw CUdeviceptr for TensorRT. */
    static final class DeviceBuffer extends CUdeviceptr implements Device {
        private final long bytes;

        DeviceBuffer(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public long address() {
            return getNativePointer();
        }

        @Override
        public long bytes() {
            return bytes;
        }
    }

    /** A pinned (page-locked) host allocation with a little-endian ByteBuffer view. */
    static final class PinnedBuffer implements Pinned {
        final Pointer pointer;
        private final ByteBuffer view;

        PinnedBuffer(Pointer pointer, long bytes) {
            this.pointer = pointer;
            this.view = pointer.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
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

    /** A stream whose raw CUstream handle can be handed to TensorRT. */
    static final class RawStream extends CUstream {
        long handle() {
            return getNativePointer();
        }
    }

    static final class CudaEvent extends CUevent implements Event {}

    public record DeviceInfo(int ordinal, String name, int major, int minor, int multiprocessors) {}

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final RawStream compute = new RawStream();
    private final RawStream upload = new RawStream();
    private final List<DeviceBuffer> deviceBuffers = new ArrayList<>();
    private final List<PinnedBuffer> pinnedBuffers = new ArrayList<>();
    private final List<CudaEvent> events = new ArrayList<>();
    private final DeviceInfo info;
    private boolean moduleLoaded;
    private boolean closed;

    /**
     * Retains device {@code ordinal}'s primary context, makes it current on this thread, loads the
     * kernels and looks up every function in {@link KernelNames#ALL}.
     */
    public CudaDriver(int ordinal, byte[] fatbin) {
        check(JCudaDriver.cuInit(0), "cuInit");
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet");
        // Host threads that wait on the device (stream synchronize) sleep instead of spinning a
        // core. Best effort: flags cannot change while another library holds the context active.
        JCudaDriver.cuDevicePrimaryCtxSetFlags(device, CUctx_flags.CU_CTX_SCHED_BLOCKING_SYNC);
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        try {
            check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            info = describe(ordinal, device);
            check(JCudaDriver.cuModuleLoadData(module, fatbin), "cuModuleLoadData (kernels fatbin)");
            moduleLoaded = true;
            for (KernelNames.Kernel k : KernelNames.ALL) {
                CUfunction f = new CUfunction();
                check(JCudaDriver.cuModuleGetFunction(f, module, k.name()), "cuModuleGetFunction " + k.name());
                functions.put(k.name(), f);
            }
            check(JCudaDriver.cuStreamCreate(compute, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
            check(JCudaDriver.cuStreamCreate(upload, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static DeviceInfo describe(int ordinal, CUdevice d) {
        int[] v = new int[1];
        check(
                JCudaDriver.cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d),
                "cuDeviceGetAttribute");
        int major = v[0];
        check(
                JCudaDriver.cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d),
                "cuDeviceGetAttribute");
        int minor = v[0];
        check(
                JCudaDriver.cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d),
                "cuDeviceGetAttribute");
        int sms = v[0];
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, d), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        return new DeviceInfo(
                ordinal, new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII), major, minor, sms);
    }

    public DeviceInfo info() {
        return info;
    }

    @Override
    public String describe() {
        return info.name() + " (sm_" + info.major() + info.minor() + ", " + info.multiprocessors() + " SMs)";
    }

    /** Makes the primary context current on the calling thread (the executor thread, once). */
    @Override
    public void makeCurrent() {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    private RawStream stream(Stream s) {
        return s == Stream.COMPUTE ? compute : upload;
    }

    @Override
    public long streamHandle(Stream s) {
        return stream(s).handle();
    }

    @Override
    public DeviceBuffer allocDevice(long bytes) {
        DeviceBuffer b = new DeviceBuffer(bytes);
        check(JCudaDriver.cuMemAlloc(b, Math.max(1, bytes)), "cuMemAlloc(" + bytes + ")");
        deviceBuffers.add(b);
        return b;
    }

    @Override
    public PinnedBuffer allocPinned(long bytes) {
        Pointer p = new Pointer();
        check(JCudaDriver.cuMemHostAlloc(p, Math.max(1, bytes), 0), "cuMemHostAlloc(" + bytes + ")");
        PinnedBuffer b = new PinnedBuffer(p, Math.max(1, bytes));
        pinnedBuffers.add(b);
        return b;
    }

    @Override
    public void free(Device d) {
        DeviceBuffer b = (DeviceBuffer) d;
        if (deviceBuffers.remove(b)) {
            check(JCudaDriver.cuMemFree(b), "cuMemFree");
        }
    }

    @Override
    public void free(Pinned p) {
        PinnedBuffer b = (PinnedBuffer) p;
        if (pinnedBuffers.remove(b)) {
            check(JCudaDriver.cuMemFreeHost(b.pointer), "cuMemFreeHost");
        }
    }

    @Override
    public void copyToDevice(Device dst, Pinned src, long bytes, Stream s) {
        if (bytes > 0) {
            check(
                    JCudaDriver.cuMemcpyHtoDAsync((DeviceBuffer) dst, ((PinnedBuffer) src).pointer, bytes, stream(s)),
                    "cuMemcpyHtoDAsync");
        }
    }

    @Override
    public void copyToHost(Pinned dst, Device src, long bytes, Stream s) {
        if (bytes > 0) {
            check(
                    JCudaDriver.cuMemcpyDtoHAsync(((PinnedBuffer) dst).pointer, (DeviceBuffer) src, bytes, stream(s)),
                    "cuMemcpyDtoHAsync");
        }
    }

    @Override
    public CudaEvent event(EventUse use) {
        CudaEvent e = new CudaEvent();
        int flags = switch (use) {
            case ORDER -> CUevent_flags.CU_EVENT_DISABLE_TIMING;
            case TIMING -> CUevent_flags.CU_EVENT_DEFAULT;
            case HOST_WAIT -> CUevent_flags.CU_EVENT_BLOCKING_SYNC;
        };
        check(JCudaDriver.cuEventCreate(e, flags), "cuEventCreate");
        events.add(e);
        return e;
    }

    @Override
    public void record(Event e, Stream s) {
        check(JCudaDriver.cuEventRecord((CudaEvent) e, stream(s)), "cuEventRecord");
    }

    @Override
    public void waitFor(Stream s, Event e) {
        check(JCudaDriver.cuStreamWaitEvent(stream(s), (CudaEvent) e, 0), "cuStreamWaitEvent");
    }

    @Override
    public void synchronize(Event e) {
        check(JCudaDriver.cuEventSynchronize((CudaEvent) e), "cuEventSynchronize");
    }

    @Override
    public void synchronize(Stream s) {
        check(JCudaDriver.cuStreamSynchronize(stream(s)), "cuStreamSynchronize");
    }

    @Override
    public float elapsedMs(Event from, Event to) {
        float[] ms = new float[1];
        check(JCudaDriver.cuEventElapsedTime(ms, (CudaEvent) from, (CudaEvent) to), "cuEventElapsedTime");
        return ms[0];
    }

    /**
     * Launches a kernel on {@code s}. Arguments: {@link Device} (passed as its device
     * pointer), Integer (int), Float (float) — in the kernel's parameter order.
     */
    @Override
    public void launch(String kernel, LaunchGeometry.Launch g, Stream s, Object... args) {
        CUfunction f = functions.get(kernel);
        if (f == null) {
            throw new IllegalArgumentException("unknown kernel " + kernel);
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof DeviceBuffer b) {
                params[i] = Pointer.to(b);
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " of " + kernel + ": " + a);
            }
        }
        check(
                JCudaDriver.cuLaunchKernel(
                        f,
                        g.gridX(),
                        g.gridY(),
                        g.gridZ(),
                        g.blockX(),
                        g.blockY(),
                        g.blockZ(),
                        0,
                        stream(s),
                        Pointer.to(params),
                        null),
                "cuLaunchKernel " + kernel);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Best effort: free what was made, then release the primary context (shared with TensorRT,
        // which must have been closed first).
        JCudaDriver.cuCtxSetCurrent(context);
        JCudaDriver.cuStreamSynchronize(compute);
        JCudaDriver.cuStreamSynchronize(upload);
        for (DeviceBuffer b : deviceBuffers) {
            JCudaDriver.cuMemFree(b);
        }
        deviceBuffers.clear();
        for (PinnedBuffer b : pinnedBuffers) {
            JCudaDriver.cuMemFreeHost(b.pointer);
        }
        pinnedBuffers.clear();
        for (CudaEvent e : events) {
            JCudaDriver.cuEventDestroy(e);
        }
        events.clear();
        JCudaDriver.cuStreamDestroy(compute);
        JCudaDriver.cuStreamDestroy(upload);
        if (moduleLoaded) {
            JCudaDriver.cuModuleUnload(module);
        }
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    /** Throws with the CUDA error name and code when {@code rc} is not CUDA_SUCCESS. */
    static void check(int rc, String what) {
        if (rc != 0) {
            String[] name = new String[1];
            JCudaDriver.cuGetErrorName(rc, name);
            throw new CudaException(what, rc, name[0] != null ? name[0] : "CUDA error");
        }
    }
}
