package dev.depthcast.backend.tensorrt;

import ai.onnxruntime.platform.Fp16Conversions;
import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.DepthPipeline;
import dev.depthcast.backend.PipelineFault;
import dev.depthcast.backend.cuda.BatchLayout;
import dev.depthcast.backend.cuda.BufferPlan;
import dev.depthcast.backend.cuda.CudaDriver;
import dev.depthcast.backend.cuda.CudaException;
import dev.depthcast.backend.cuda.DoubleBuffering;
import dev.depthcast.backend.cuda.GpuOps;
import dev.depthcast.backend.cuda.GpuOps.Device;
import dev.depthcast.backend.cuda.GpuOps.Event;
import dev.depthcast.backend.cuda.GpuOps.EventUse;
import dev.depthcast.backend.cuda.GpuOps.Pinned;
import dev.depthcast.backend.cuda.GpuOps.Stream;
import dev.depthcast.backend.cuda.KernelImage;
import dev.depthcast.backend.cuda.KernelNames;
import dev.depthcast.backend.cuda.LaunchGeometry;
import dev.depthcast.backend.cuda.SlotTable;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.DepthOutput;
import dev.depthcast.model.Preset;
import dev.depthcast.process.DepthMapping;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU pipeline: JCuda kernels around a TensorRT engine, all on one compute stream, with a
 * second stream for uploads. Checked on a GPU (an H200) with TensorRT replaced by a stand-in
 * model of known answer ({@code PipelineOnDeviceTest}, which scripts/device-check.sh runs: bitwise
 * equal to the CPU path); with a real engine ({@link TrtEngine}) it has never run, because no
 * machine it ran on had TensorRT. On the CPU: the class against a recording fake device
 * ({@code TensorRtPipelineTest}), its pure-Java parts ({@link BatchLayout}, {@link BufferPlan},
 * {@link DoubleBuffering}, {@link LaunchGeometry}, {@link SlotTable}, {@link EngineBindings}) by
 * unit tests, its kernels' math by the host parity test. It is reached only when {@link GpuProbe}
 * finds a device.
 *
 * <p>Per batch ({@link #submit}): stage the frames into set k%2's pinned buffer (the only host
 * copy), upload them on the upload stream (after the previous user of that set released it),
 * then on the compute stream: preprocess kernel → engine input (FP16 or FP32, slot b) →
 * {@code enqueueV3} → depth range, sample and compaction kernels → download counts, xyz, rgb
 * into the set's pinned result buffers. {@link #finish} waits for that batch and builds the
 * clouds. {@link #run} is submit + finish; a caller that submits batch k+1 before finishing
 * batch k gets the upload of k+1 overlapped with the inference of k. Device and pinned buffers
 * are allocated once ({@link BufferPlan}); only a frame larger than planned grows them, once.
 */
public final class TensorRtPipeline implements DepthPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(TensorRtPipeline.class);

    /** One of the two buffer sets (A/B): what batch k stages, uploads and reads back. */
    private final class BufferSet {
        Device frames;
        final Device slots;
        Pinned hostFrames;
        final Pinned hostSlots;
        final Pinned hostXyz;
        final Pinned hostRgb;
        final Pinned hostCounts;
        // Every stage is timed between two events on the stream that runs it (upload on UPLOAD, the
        // rest on COMPUTE), so a stage's time never includes a wait for the other stream.
        final Event uploadStart = cuda.event(EventUse.TIMING);
        final Event uploaded = cuda.event(EventUse.TIMING);
        final Event preprocessStart = cuda.event(EventUse.TIMING);
        final Event preprocessed = cuda.event(EventUse.TIMING);
        final Event inferred = cuda.event(EventUse.TIMING);
        /** Also "released": the set's frames are read for the last time by the compaction. */
        final Event unprojected = cuda.event(EventUse.TIMING);

        final Event done = cuda.event(EventUse.HOST_WAIT);
        /** The engine's depth is on the host: the stabilisers can run. */
        final Event depthDownloaded = cuda.event(EventUse.HOST_WAIT);

        final Event stableUploadStart = cuda.event(EventUse.TIMING);
        final Event stableUploaded = cuda.event(EventUse.TIMING);
        BatchLayout layout;
        List<UnprojectParams> params;
        /** Each slot's host mapping (null: its own range, on the device), or null for the whole batch. */
        DepthMapping[] mappings;
        /** Host time of the stabilisers, NaN when none ran. */
        double stabiliseHostMs;

        double stagingMs;

        BufferSet() {
            frames = cuda.allocDevice(plan.frameCapacity());
            slots = cuda.allocDevice(plan.slotTableBytes());
            hostFrames = cuda.allocPinned(plan.frameCapacity());
            hostSlots = cuda.allocPinned(plan.slotTableBytes());
            hostXyz = cuda.allocPinned(plan.xyzBytes());
            hostRgb = cuda.allocPinned(plan.rgbBytes());
            hostCounts = cuda.allocPinned(plan.countsBytes());
        }
    }

    private final Preset preset;
    private final int maxBatch;
    private final GpuOps cuda;
    private final InferenceEngine trt;
    private final EngineBindings bindings;
    private final int gridHeight;
    private final int gridWidth;
    private BufferPlan plan;
    private final Device input;
    private final Device depth;
    private final Device z;
    private final Device keep;
    private final Device xyz;
    private final Device rgb;
    private final Device counts;
    private final Device range;
    private final Device tileCounts;
    private final Device norm;
    /** Stabilised depth (FP32, every slot), what the unprojection reads after a host round trip. */
    private final Device stableDepth;
    /** The engine's depth comes down here; the stabilised depth goes up from here. */
    private final Pinned hostDepth;

    private float[] hostGrid = new float[0];
    private final BufferSet[] sets = new BufferSet[BufferPlan.SETS];
    private final DoubleBuffering ring = new DoubleBuffering();
    private Thread boundThread;
    /** The batch size the engine's input shape is set to (-1: none yet). */
    private int shapeBatch = -1;
    /** Why the pipeline can run no further batch (a sticky CUDA error), or null. */
    private volatile String fault;

    private GpuStageTimes lastTimes;

    /**
     * Opens device 0 (primary context, kernels, engine, buffers) and runs one warm-up batch through
     * everything ({@link #start}). Throws with a clear message when anything fails; then every CUDA
     * resource is released (TensorRT's runtime and engine cannot be: see {@link TrtEngine}).
     */
    public static TensorRtPipeline open(Preset preset, int maxBatch, Path engineFile, KernelImage kernels)
            throws IOException {
        return open(preset, maxBatch, engineFile, kernels, 0);
    }

    /** {@link #open(Preset, int, Path, KernelImage)} on device {@code ordinal} ({@code --devices}). */
    public static TensorRtPipeline open(Preset preset, int maxBatch, Path engineFile, KernelImage kernels, int ordinal)
            throws IOException {
        byte[] engineBytes = Files.readAllBytes(engineFile);
        CudaDriver cuda = new CudaDriver(ordinal, kernels.bytes());
        TrtEngine trt;
        try {
            trt = new TrtEngine(engineBytes, engineFile.toString());
        } catch (RuntimeException e) {
            cuda.close();
            throw e;
        }
        return start(preset, maxBatch, cuda, trt, engineFile.toString());
    }

    /**
     * Builds the pipeline over an open device and engine and proves it: one synthetic batch of
     * {@code maxBatch} frames goes through upload, preprocess, inference, unprojection and download
     * before any client's frame does, so a kernel fault, a failing enqueue or a sticky CUDA error
     * shows here, where {@code --backend auto} can still choose the CPU. On failure both are closed.
     */
    static TensorRtPipeline start(Preset preset, int maxBatch, GpuOps cuda, InferenceEngine trt, String engineName) {
        TensorRtPipeline p = null;
        try {
            p = new TensorRtPipeline(preset, maxBatch, cuda, trt, engineName);
            p.warmUp();
            return p;
        } catch (RuntimeException e) {
            try {
                trt.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            } finally {
                cuda.close();
            }
            throw p == null
                    ? e
                    : new IllegalStateException(
                            "the warm-up batch failed on the GPU (" + GpuProbe.describe(e) + ")", e);
        }
    }

    /** A diagonal luma gradient (so the depth has a range and points survive), neutral chroma. */
    static I420Frame warmUpFrame(int width, int height, int seed) {
        byte[] y = new byte[I420Frame.lumaSize(width, height)];
        for (int j = 0; j < height; j++) {
            for (int i = 0; i < width; i++) {
                y[j * width + i] = (byte) (16 + (i + j + seed) * 219 / (width + height));
            }
        }
        byte[] c = new byte[I420Frame.chromaSize(width, height)];
        java.util.Arrays.fill(c, (byte) 128);
        return new I420Frame(width, height, y, c, c.clone(), -1 - seed, 0, 0, 0, 0);
    }

    /** Synthetic frames, one per slot, at the preset's input size, through the whole pipeline. */
    private void warmUp() {
        long t0 = System.nanoTime();
        List<BatchItem> items = new ArrayList<>(maxBatch);
        for (int b = 0; b < maxBatch; b++) {
            items.add(
                    new BatchItem(warmUpFrame(preset.inputWidth(), preset.inputHeight(), b), UnprojectParams.DEFAULT));
        }
        BatchResult r = run(items);
        LOG.info(
                "warm-up batch of {} on the GPU: {} ms ({}), {} points",
                maxBatch,
                String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e6),
                lastTimes,
                r.clouds().stream().mapToInt(PointCloud::count).sum());
    }

    TensorRtPipeline(Preset preset, int maxBatch, GpuOps cuda, InferenceEngine trt, String engineName) {
        this.preset = preset;
        this.maxBatch = maxBatch;
        this.cuda = cuda;
        this.trt = trt;
        this.bindings = EngineBindings.check(preset, engineName, trt.tensors(), maxBatch);
        long[] out = trt.setBatch(
                bindings.inputName(), maxBatch, preset.inputHeight(), preset.inputWidth(), bindings.outputName());
        this.shapeBatch = maxBatch;
        this.gridHeight = (int) out[out.length - 2];
        this.gridWidth = (int) out[out.length - 1];
        this.plan = BufferPlan.of(
                maxBatch,
                preset.inputHeight(),
                preset.inputWidth(),
                gridHeight,
                gridWidth,
                bindings.inputHalf(),
                bindings.outputHalf());
        input = cuda.allocDevice(plan.inputBytes());
        depth = cuda.allocDevice(plan.depthBytes());
        z = cuda.allocDevice(plan.zBytes());
        keep = cuda.allocDevice(plan.keepBytes());
        xyz = cuda.allocDevice(plan.xyzBytes());
        rgb = cuda.allocDevice(plan.rgbBytes());
        counts = cuda.allocDevice(plan.countsBytes());
        range = cuda.allocDevice(plan.rangeBytes());
        tileCounts = cuda.allocDevice(plan.tileCountsBytes());
        norm = cuda.allocDevice(plan.normBytes());
        stableDepth = cuda.allocDevice(plan.stableDepthBytes());
        hostDepth = cuda.allocPinned(plan.stableDepthBytes());
        for (int i = 0; i < sets.length; i++) {
            sets[i] = new BufferSet();
        }
        Pinned hostNorm = cuda.allocPinned(plan.normBytes());
        hostNorm.view().put(0, SlotTable.encodeNorm(preset));
        cuda.copyToDevice(norm, hostNorm, plan.normBytes(), Stream.COMPUTE);
        cuda.synchronize(Stream.COMPUTE); // the staging buffer is freed next
        cuda.free(hostNorm);
        trt.bind(bindings.inputName(), input.address());
        trt.bind(bindings.outputName(), depth.address());
        boundThread = Thread.currentThread();
        LOG.info(
                "TensorRT {} on {}, engine {}: {} in, {} out, depth grid {}x{}, max batch {}; "
                        + "{} MiB device + {} MiB pinned buffers",
                trt.version(),
                cuda.describe(),
                engineName,
                bindings.inputHalf() ? "FP16" : "FP32",
                bindings.outputHalf() ? "FP16" : "FP32",
                gridWidth,
                gridHeight,
                maxBatch,
                plan.deviceBytes() >> 20,
                plan.pinnedBytes() >> 20);
    }

    @Override
    public String backendName() {
        return "tensorrt";
    }

    @Override
    public Preset preset() {
        return preset;
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public BatchResult run(List<BatchItem> items) {
        return finish(submit(items));
    }

    @Override
    public InFlight start(List<BatchItem> items) {
        DoubleBuffering.Ticket ticket = submit(items);
        return () -> finish(ticket);
    }

    @Override
    public boolean overlapsBatches() {
        return true;
    }

    /** Queues a batch on the device and returns at once; {@link #finish} it (in order) to get the clouds. */
    public DoubleBuffering.Ticket submit(List<BatchItem> items) {
        int n = items.size();
        if (n == 0 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " (max " + maxBatch + ")");
        }
        if (fault != null) {
            throw new PipelineFault(fault, null);
        }
        bindThread();
        long t0 = System.nanoTime();
        BatchLayout layout = BatchLayout.of(items, gridWidth, gridHeight);
        if (preset.output() == DepthOutput.METRIC) {
            layout = layout.withMappings(Collections.nCopies(n, SlotTable.Mapping.METRIC));
        }
        String misfit = plan.misfit(layout);
        if (misfit != null && layout.frameBytes() > plan.frameCapacity() && layout.size() <= maxBatch) {
            growFrames(layout.frameBytes());
            misfit = plan.misfit(layout);
        }
        if (misfit != null) {
            throw new IllegalArgumentException(misfit);
        }
        DoubleBuffering.Ticket ticket = ring.begin();
        BufferSet s = sets[ticket.set()];
        List<I420Frame> frames = new ArrayList<>(n);
        items.forEach(it -> frames.add(it.frame()));
        try {
            layout.stageFrames(s.hostFrames.view(), frames);
            layout.writeSlots(s.hostSlots.view());
        } catch (RuntimeException e) {
            ring.abandon(ticket);
            throw e;
        }
        s.layout = layout;
        s.params = items.stream().map(BatchItem::params).toList();
        s.mappings = null;
        s.stabiliseHostMs = Double.NaN;
        s.stagingMs = (System.nanoTime() - t0) / 1e6;

        try {
            enqueue(s, items, n);
        } catch (RuntimeException e) {
            // Leave the ring consistent for the next batch: drain what was queued, forget this one.
            try {
                cuda.synchronize(Stream.UPLOAD);
                cuda.synchronize(Stream.COMPUTE);
            } catch (RuntimeException drain) {
                e.addSuppressed(drain);
                if (isSticky(drain)) {
                    ring.abandon(ticket);
                    throw faulted(drain);
                }
            }
            ring.abandon(ticket);
            throw isSticky(e) ? faulted(e) : e;
        }
        return ticket;
    }

    private static boolean isSticky(Throwable t) {
        return t instanceof CudaException c && c.sticky();
    }

    /** Marks the pipeline dead: a sticky error poisons the context for the life of the process. */
    private PipelineFault faulted(Throwable cause) {
        String why = "GPU fault: " + cause.getMessage() + "; the CUDA context is unusable until the server restarts";
        if (fault == null) {
            fault = why;
            LOG.error("{}", why, cause);
        }
        return new PipelineFault(fault, cause);
    }

    /** Why this pipeline can run no further batch, or null. */
    public String fault() {
        return fault;
    }

    /** The GPU stage times of the last finished batch (for logs and tests), or null. */
    GpuStageTimes lastStageTimes() {
        return lastTimes;
    }

    private void enqueue(BufferSet s, List<BatchItem> items, int n) {
        BatchLayout layout = s.layout;
        Stream up = Stream.UPLOAD;
        Stream cs = Stream.COMPUTE;
        // Upload: waits only for the batch that last used this set (k-2) to release its frames.
        cuda.waitFor(up, s.unprojected);
        cuda.record(s.uploadStart, up);
        cuda.copyToDevice(s.frames, s.hostFrames, layout.frameBytes(), up);
        cuda.copyToDevice(s.slots, s.hostSlots, layout.slotTableBytes(), up);
        cuda.record(s.uploaded, up);
        // The input shape changes only with the batch size, and then only once the previous batch is
        // off the device: TensorRT does not document setInputShape on a context whose last enqueue
        // may still run. A steady client count never drains; a changed one drains once (~one batch
        // of overlap lost, the upload and host staging of this batch were already done).
        if (n != shapeBatch) {
            cuda.synchronize(cs);
            trt.setBatch(bindings.inputName(), n, preset.inputHeight(), preset.inputWidth(), bindings.outputName());
            shapeBatch = n;
        }
        // Compute: preprocess → inference → unproject → download, in stream order.
        cuda.waitFor(cs, s.uploaded);
        cuda.record(s.preprocessStart, cs);
        cuda.launch(
                bindings.inputHalf() ? KernelNames.PREPROCESS_F16 : KernelNames.PREPROCESS_F32,
                LaunchGeometry.preprocess(preset.inputWidth(), preset.inputHeight(), n),
                cs,
                s.frames,
                s.slots,
                norm,
                input,
                n);
        cuda.record(s.preprocessed, cs);
        trt.enqueue(cuda.streamHandle(cs));
        cuda.record(s.inferred, cs);
        boolean half = bindings.outputHalf();
        Device unprojectFrom = depth;
        if (preset.output() == DepthOutput.METRIC) {
            s.mappings = new DepthMapping[n];
            Arrays.fill(s.mappings, DepthMapping.METRIC);
        } else if (items.stream().anyMatch(it -> it.stabiliser() != null)) {
            stabilise(s, items, n);
            layout = s.layout;
            unprojectFrom = stableDepth;
            half = false;
        }
        cuda.launch(
                half ? KernelNames.RANGE_F16 : KernelNames.RANGE_F32,
                LaunchGeometry.range(n),
                cs,
                unprojectFrom,
                gridWidth,
                gridHeight,
                range,
                n);
        cuda.launch(
                half ? KernelNames.SAMPLE_F16 : KernelNames.SAMPLE_F32,
                LaunchGeometry.sample(layout.maxSamples(), n),
                cs,
                unprojectFrom,
                gridWidth,
                gridHeight,
                s.slots,
                range,
                z,
                keep,
                tileCounts,
                n);
        cuda.launch(
                KernelNames.COMPACT,
                LaunchGeometry.compact(layout.maxSamples(), n),
                cs,
                s.frames,
                s.slots,
                z,
                keep,
                tileCounts,
                gridWidth,
                gridHeight,
                xyz,
                rgb,
                counts,
                n);
        cuda.record(s.unprojected, cs);
        cuda.copyToHost(s.hostCounts, counts, 4L * n, cs);
        cuda.copyToHost(s.hostXyz, xyz, 12L * layout.totalSamples(), cs);
        cuda.copyToHost(s.hostRgb, rgb, 3L * layout.totalSamples(), cs);
        cuda.record(s.done, cs);
    }

    /**
     * The host round trip of a batch with stabilised sessions: the engine's depth comes down, each
     * session's {@link DepthStabiliser} aligns and smooths its slot in place (the same Java code as
     * on the CPU backend, on this, the executor's, thread: the stabiliser is session state), and the
     * result goes back up as FP32 with each slot's mapping in its descriptor. Why the host: the fit
     * is a robust search over a 48×36 sample grid (branchy, sequential, per session), and the
     * running means are per-session state that outlives any batch slot; the price is one
     * device→host→device copy of the depth grids (~0.8 MB a frame at 378×504) and the host work
     * (~0.5 ms a frame for the stabiliser, ~0.2 ms for FP16 to float; slots in parallel), which this
     * batch's stabilise stage reports. Slots without a stabiliser go
     * up unchanged and map through their own range, as on the FP16 path.
     */
    private void stabilise(BufferSet s, List<BatchItem> items, int n) {
        Stream cs = Stream.COMPUTE;
        int px = gridWidth * gridHeight;
        boolean half = bindings.outputHalf();
        cuda.copyToHost(hostDepth, depth, (long) n * px * (half ? 2 : 4), cs);
        cuda.record(s.depthDownloaded, cs);
        cuda.synchronize(s.depthDownloaded);
        long t0 = System.nanoTime();
        if (hostGrid.length < n * px) {
            hostGrid = new float[maxBatch * px];
        }
        float[] grid = hostGrid;
        DepthMapping[] mappings = new DepthMapping[n];
        // Every slot is read before any is written back: the FP32 result overlays the FP16 input.
        IntStream.range(0, n).parallel().forEach(b -> {
            ByteBuffer view = hostDepth.view().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int at = b * px;
            if (half) {
                ShortBuffer h = view.asShortBuffer();
                for (int i = at; i < at + px; i++) {
                    grid[i] = Fp16Conversions.fp16ToFloat(h.get(i));
                }
            } else {
                view.asFloatBuffer().get(at, grid, at, px);
            }
        });
        // A session has one frame in a batch, so each stabiliser is used by one thread at a time,
        // and the stream's join publishes its state to the next batch.
        IntStream.range(0, n).parallel().forEach(b -> {
            BatchItem it = items.get(b);
            int at = b * px;
            if (it.stabiliser() != null) {
                mappings[b] = it.stabiliser()
                        .update(
                                grid,
                                at,
                                gridWidth,
                                gridHeight,
                                it.params().near(),
                                it.params().far());
            }
            hostDepth
                    .view()
                    .duplicate()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .put(at, grid, at, px);
        });
        List<SlotTable.Mapping> device = new ArrayList<>(n);
        for (DepthMapping m : mappings) {
            device.add(SlotTable.Mapping.of(m));
        }
        s.layout = s.layout.withMappings(device);
        s.layout.writeSlots(s.hostSlots.view());
        s.mappings = mappings;
        s.stabiliseHostMs = (System.nanoTime() - t0) / 1e6;
        // The preprocess kernel has read the slot table (this stream waited for the upload), so it can change.
        cuda.record(s.stableUploadStart, cs);
        cuda.copyToDevice(s.slots, s.hostSlots, s.layout.slotTableBytes(), cs);
        cuda.copyToDevice(stableDepth, hostDepth, 4L * n * px, cs);
        cuda.record(s.stableUploaded, cs);
    }

    /** Waits for a submitted batch (the oldest first) and returns its clouds and stage times. */
    public BatchResult finish(DoubleBuffering.Ticket ticket) {
        if (ticket.seq() != ring.oldest()) {
            throw new IllegalStateException(
                    "batch " + ticket.seq() + " finished out of order (next is " + ring.oldest() + ")");
        }
        try {
            return collect(sets[ticket.set()]);
        } catch (RuntimeException e) {
            throw isSticky(e) ? faulted(e) : e;
        } finally {
            ring.finish(ticket);
        }
    }

    private BatchResult collect(BufferSet s) {
        cuda.synchronize(s.done);
        BatchLayout layout = s.layout;
        IntBuffer n = s.hostCounts.view().asIntBuffer();
        List<PointCloud> clouds = new ArrayList<>(layout.size());
        for (int b = 0; b < layout.size(); b++) {
            SlotTable.Slot slot = layout.slots().get(b);
            int count = n.get(b);
            if (count < 0 || count > slot.samples()) {
                throw new IllegalStateException(
                        "slot " + b + ": device returned " + count + " points of " + slot.samples() + " samples");
            }
            float[] p = new float[count * 3];
            byte[] c = new byte[count * 3];
            s.hostXyz.view().asFloatBuffer().get(slot.pointOffset() * 3, p);
            s.hostRgb.view().get(slot.pointOffset() * 3, c);
            DepthMapping m = s.mappings == null ? null : s.mappings[b];
            if (m == null) {
                clouds.add(new PointCloud(
                        count, p, c, gridWidth, gridHeight, slot.stride(), slot.intrinsics(), slot.near(), slot.far()));
            } else {
                // The extent of the delivered points, as the CPU Unprojector takes it.
                float zmin = Float.POSITIVE_INFINITY;
                float zmax = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < count; i++) {
                    float z = -p[i * 3 + 2];
                    zmin = Math.min(zmin, z);
                    zmax = Math.max(zmax, z);
                }
                DepthMapping.Range r = m.range(zmin, zmax, s.params.get(b));
                clouds.add(new PointCloud(
                        count,
                        p,
                        c,
                        gridWidth,
                        gridHeight,
                        slot.stride(),
                        slot.intrinsics(),
                        r.near(),
                        r.far(),
                        m.stabiliser()));
            }
        }
        boolean stabilised = !Double.isNaN(s.stabiliseHostMs);
        GpuStageTimes t = new GpuStageTimes(
                s.stagingMs,
                cuda.elapsedMs(s.uploadStart, s.uploaded),
                cuda.elapsedMs(s.preprocessStart, s.preprocessed),
                cuda.elapsedMs(s.preprocessed, s.inferred),
                stabilised
                        ? cuda.elapsedMs(s.inferred, s.depthDownloaded)
                                + s.stabiliseHostMs
                                + cuda.elapsedMs(s.stableUploadStart, s.stableUploaded)
                        : Double.NaN,
                cuda.elapsedMs(stabilised ? s.stableUploaded : s.inferred, s.unprojected),
                cuda.elapsedMs(s.unprojected, s.done));
        lastTimes = t;
        return new BatchResult(clouds, t.preprocessMs(), t.inferenceMs(), t.stabiliseMs(), t.unprojectMs());
    }

    private void bindThread() {
        if (boundThread != Thread.currentThread()) {
            cuda.makeCurrent();
            boundThread = Thread.currentThread();
        }
    }

    /** A frame larger than planned: drain the device, regrow both sets' frame buffers once. */
    private void growFrames(long needed) {
        cuda.synchronize(Stream.UPLOAD);
        cuda.synchronize(Stream.COMPUTE);
        plan = plan.grownFor(needed);
        for (BufferSet s : sets) {
            cuda.free(s.frames);
            cuda.free(s.hostFrames);
            s.frames = cuda.allocDevice(plan.frameCapacity());
            s.hostFrames = cuda.allocPinned(plan.frameCapacity());
        }
        LOG.info("frame buffers grown to {} MiB per set for a batch of larger frames", plan.frameCapacity() >> 20);
    }

    @Override
    public void close() {
        try {
            trt.close();
        } finally {
            cuda.close();
        }
    }
}
