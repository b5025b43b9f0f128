package dev.depthcast.backend.tensorrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.platform.Fp16Conversions;
import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.cuda.BatchLayout;
import dev.depthcast.backend.cuda.BufferPlan;
import dev.depthcast.backend.cuda.DoubleBuffering;
import dev.depthcast.backend.cuda.GpuOps.Stream;
import dev.depthcast.backend.cuda.KernelNames;
import dev.depthcast.backend.cuda.LaunchGeometry;
import dev.depthcast.backend.cuda.SlotTable;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.StabilisedMapping;
import dev.depthcast.process.StabiliserState;
import dev.depthcast.process.UnprojectParams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CUDA pipeline's orchestration up to the device boundary, on a recording fake device: what
 * is allocated when, what each stream does in which order, which events gate what, what the
 * uploaded bytes are, the kernels' arguments (checked against the .cu signatures). The device
 * side is checked on a GPU by {@code PipelineOnDeviceTest} (TensorRT replaced by a stand-in);
 * TensorRT itself never ran: see kernels/README.md.
 */
class TensorRtPipelineTest {

    static final Preset DA2 = Preset.DEPTH_ANYTHING_V2;

    static I420Frame frame(int w, int h, int seed) {
        int c = I420Frame.chromaSize(w, h);
        byte[] y = new byte[w * h];
        byte[] u = new byte[c];
        byte[] v = new byte[c];
        for (int i = 0; i < y.length; i++) {
            y[i] = (byte) (i * 31 + seed);
        }
        Arrays.fill(u, (byte) (seed + 1));
        Arrays.fill(v, (byte) (seed + 2));
        return new I420Frame(w, h, y, u, v, seed, 0, 0, 0, 0);
    }

    static List<BatchItem> batch(int... sizes) {
        List<BatchItem> items = new ArrayList<>();
        for (int i = 0; i < sizes.length; i += 2) {
            items.add(new BatchItem(frame(sizes[i], sizes[i + 1], i), UnprojectParams.DEFAULT));
        }
        return items;
    }

    RecordingGpu gpu = new RecordingGpu();

    /** As the server opens it: construction, then the warm-up batch. */
    TensorRtPipeline open(String type, int engineMaxBatch, int maxBatch) {
        return TensorRtPipeline.start(
                DA2, maxBatch, gpu, new FakeEngine(gpu, FakeEngine.da2(type, 378, 504, engineMaxBatch)), "fake.engine");
    }

    @Test
    void opensWithBuffersSizedOnceBoundToTheEngineAndTheNormUploaded() {
        FakeEngine[] engine = new FakeEngine[1];
        TensorRtPipeline p = TensorRtPipeline.start(
                DA2,
                8,
                gpu,
                engine[0] = new FakeEngine(gpu, FakeEngine.da2(TensorSpec.HALF, 378, 504, 8)),
                "fake.engine");
        assertEquals("tensorrt", p.backendName());
        assertEquals(8, p.maxBatch());
        BufferPlan plan = BufferPlan.of(8, 378, 504, 378, 504, true, true);
        RecordingGpu.FakeDevice input = device(engine[0].bound.get("pixel_values"));
        RecordingGpu.FakeDevice depth = device(engine[0].bound.get("predicted_depth"));
        assertEquals(plan.inputBytes(), input.bytes());
        assertEquals(plan.depthBytes(), depth.bytes());
        assertEquals(List.of(8), engine[0].batches, "output shape read at the max batch");
        // 11 single buffers + 2 sets x (frames, slots); pinned: 2 sets x 5 + the depth round trip's
        // (the norm staging was freed)
        assertEquals(15, gpu.devices.size());
        assertEquals(11, gpu.pinned.size());
        assertTrue(
                gpu.devices.stream()
                        .anyMatch(d -> d.bytes() == SlotTable.NORM_BYTES
                                && Arrays.equals(d.memory, SlotTable.encodeNorm(DA2))),
                "DcNorm uploaded");
        p.close();
        assertTrue(gpu.closed && engine[0].closed);
    }

    @Test
    void aBatchRunsUploadThenPreprocessInferenceUnprojectDownloadInStreamOrder() {
        TensorRtPipeline p = open(TensorSpec.HALF, 8, 8);
        gpu.clear();
        List<BatchItem> items = batch(640, 480, 321, 241, 2, 2);
        BatchResult r = p.run(items);

        List<String> upload =
                gpu.on(Stream.UPLOAD).stream().map(RecordingGpu.Op::kind).toList();
        assertEquals(List.of("WAIT", "RECORD", "H2D", "H2D", "RECORD"), upload);
        List<String> compute = gpu.on(Stream.COMPUTE).stream()
                .map(o -> o.kind().equals("LAUNCH") ? o.what() : o.kind())
                .toList();
        // SYNC: the warm-up ran at batch 8, this batch is 3, so the shape changes after a drain.
        assertEquals(
                List.of(
                        "SYNC",
                        "WAIT",
                        "RECORD",
                        KernelNames.PREPROCESS_F16,
                        "RECORD",
                        "ENQUEUE",
                        "RECORD",
                        KernelNames.RANGE_F16,
                        KernelNames.SAMPLE_F16,
                        KernelNames.COMPACT,
                        "RECORD",
                        "D2H",
                        "D2H",
                        "D2H",
                        "RECORD"),
                compute);
        // The compute stream waits for exactly the event the upload stream recorded last.
        assertEquals(
                gpu.on(Stream.UPLOAD).get(4).what(),
                gpu.on(Stream.COMPUTE).get(1).what());

        BatchLayout layout = BatchLayout.of(items, 504, 378);
        RecordingGpu.Op frames = gpu.on(Stream.UPLOAD).get(2);
        assertEquals(Long.toString(layout.frameBytes()), frames.what());
        ByteBuffer expected = ByteBuffer.allocate((int) layout.frameBytes());
        layout.stageFrames(expected, items.stream().map(BatchItem::frame).toList());
        byte[] onDevice = Arrays.copyOf(((RecordingGpu.FakeDevice) frames.args()[0]).memory, (int) layout.frameBytes());
        assertArrayEquals(expected.array(), onDevice, "the device got the staged frames");
        ByteBuffer slots = ByteBuffer.allocate(layout.slotTableBytes());
        layout.writeSlots(slots);
        byte[] slotsOnDevice = Arrays.copyOf(
                ((RecordingGpu.FakeDevice) gpu.on(Stream.UPLOAD).get(3).args()[0]).memory, layout.slotTableBytes());
        assertArrayEquals(slots.array(), slotsOnDevice, "the device got the slot table");

        RecordingGpu.Op pre = gpu.on(Stream.COMPUTE).get(3);
        assertEquals(LaunchGeometry.preprocess(504, 378, 3), ((Object[]) pre.args())[0]);
        RecordingGpu.Op sample = gpu.on(Stream.COMPUTE).get(8);
        assertEquals(LaunchGeometry.sample(layout.maxSamples(), 3), ((Object[]) sample.args())[0]);
        List<String> downloads = gpu.on(Stream.COMPUTE).stream()
                .filter(o -> o.kind().equals("D2H"))
                .map(RecordingGpu.Op::what)
                .toList();
        assertEquals(
                List.of("12", Long.toString(12L * layout.totalSamples()), Long.toString(3L * layout.totalSamples())),
                downloads,
                "counts, then xyz and rgb of the samples actually laid out");

        assertEquals(3, r.clouds().size());
        assertEquals(0, r.clouds().get(0).count(), "the fake kernels keep no point");
        assertEquals(168, 504 / r.clouds().get(0).stride());
        assertEquals(layout.slots().get(1).intrinsics(), r.clouds().get(1).intrinsics());
        // Each GPU stage is 1 ms on the fake (between two events on one stream, which the fake checks):
        // preprocess = staging + upload + kernel, inference alone, unproject = kernels + download.
        assertEquals(1.0, r.inferenceMs());
        assertTrue(r.preprocessMs() >= 2.0
                && r.preprocessMs() < 2.0 + p.lastStageTimes().stagingMs() + 1e-9);
        assertEquals(2.0, r.unprojectMs());
    }

    @Test
    void noAllocationPerBatch() {
        TensorRtPipeline p = open(TensorSpec.HALF, 8, 8);
        int devices = gpu.deviceAllocations;
        int pinned = gpu.pinnedAllocations;
        int events = gpu.events;
        int frees = gpu.frees;
        for (int k = 0; k < 50; k++) {
            int n = 1 + k % 8;
            int[] sizes = new int[2 * n];
            for (int i = 0; i < n; i++) {
                sizes[2 * i] = 320 + 160 * ((k + i) % 11); // up to 1920 wide
                sizes[2 * i + 1] = 240 + 84 * ((k + i) % 11); // up to 1080 high
            }
            assertEquals(n, p.run(batch(sizes)).clouds().size());
        }
        assertEquals(devices, gpu.deviceAllocations);
        assertEquals(pinned, gpu.pinnedAllocations);
        assertEquals(events, gpu.events);
        assertEquals(frees, gpu.frees);
    }

    @Test
    void theNextBatchsUploadWaitsOnlyForItsOwnSetSoItOverlapsInference() {
        TensorRtPipeline p = open(TensorSpec.HALF, 8, 8);
        gpu.clear();
        DoubleBuffering.Ticket k0 = p.submit(batch(640, 480, 640, 480));
        List<RecordingGpu.Op> afterK0 = new ArrayList<>(gpu.ops);
        DoubleBuffering.Ticket k1 = p.submit(batch(1280, 720, 640, 480)); // same n: the shape stays, no drain
        assertEquals(1 - k0.set(), k1.set(), "consecutive batches use the two sets in turn");
        List<RecordingGpu.Op> k1Ops = gpu.ops.subList(afterK0.size(), gpu.ops.size());
        String k1UploadWait = k1Ops.stream()
                .filter(o -> o.stream() == Stream.UPLOAD && o.kind().equals("WAIT"))
                .findFirst()
                .orElseThrow()
                .what();
        List<String> k0Events = afterK0.stream()
                .filter(o -> o.kind().equals("RECORD"))
                .map(RecordingGpu.Op::what)
                .toList();
        assertTrue(!k0Events.contains(k1UploadWait), "batch 1's upload must not wait for anything batch 0 records");
        assertTrue(k1Ops.stream().noneMatch(o -> o.kind().equals("SYNC")), "submit never blocks the host");
        assertThrows(IllegalStateException.class, () -> p.submit(batch(64, 48)), "both sets in flight");
        assertThrows(IllegalStateException.class, () -> p.finish(k1), "finish in order");
        assertEquals(2, p.finish(k0).clouds().size());
        assertEquals(2, p.finish(k1).clouds().size());
        // k0's set again: its upload now waits for what batch k0 recorded when it released the frames.
        gpu.clear();
        p.submit(batch(64, 48));
        assertEquals("WAIT", gpu.on(Stream.UPLOAD).get(0).kind());
        assertTrue(k0Events.contains(gpu.on(Stream.UPLOAD).get(0).what()));
    }

    @Test
    void framesLargerThanPlannedGrowTheFrameBuffersOnceAfterDrainingTheDevice() {
        TensorRtPipeline p = open(TensorSpec.HALF, 2, 2);
        int devices = gpu.deviceAllocations;
        int frees = gpu.frees;
        gpu.clear();
        p.run(batch(3840, 2160, 3840, 2160));
        assertEquals(devices + 2, gpu.deviceAllocations, "two device frame buffers, once");
        assertEquals(frees + 4, gpu.frees, "old device + pinned frame buffers of both sets");
        assertTrue(gpu.ops.get(0).kind().equals("SYNC") && gpu.ops.get(1).kind().equals("SYNC"), "drained first");
        p.run(batch(3840, 2160, 3840, 2160));
        p.run(batch(640, 480));
        assertEquals(devices + 2, gpu.deviceAllocations);
    }

    @Test
    void fp32BindingsUseTheFp32Kernels() {
        TensorRtPipeline p = open(TensorSpec.FLOAT, 8, 4);
        gpu.clear();
        p.run(batch(640, 480));
        List<String> kernels = gpu.ops.stream()
                .filter(o -> o.kind().equals("LAUNCH"))
                .map(RecordingGpu.Op::what)
                .toList();
        assertEquals(
                List.of(KernelNames.PREPROCESS_F32, KernelNames.RANGE_F32, KernelNames.SAMPLE_F32, KernelNames.COMPACT),
                kernels);
    }

    @Test
    void refusesBadBatchesAndEnginesThatDoNotFit() {
        TensorRtPipeline p = open(TensorSpec.HALF, 8, 4);
        assertThrows(IllegalArgumentException.class, () -> p.run(List.of()));
        assertThrows(IllegalArgumentException.class, () -> p.run(batch(8, 8, 8, 8, 8, 8, 8, 8, 8, 8)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(TensorSpec.HALF, 4, 8));
        assertTrue(e.getMessage().contains("--max-batch 8"), e.getMessage());
    }

    @Test
    void aFailedEnqueueLeavesThePipelineUsable() {
        FakeEngine engine = new FakeEngine(gpu, FakeEngine.da2(TensorSpec.HALF, 378, 504, 8)) {
            int calls;

            @Override
            public void enqueue(long streamHandle) {
                if (calls++ == 0) {
                    throw new IllegalStateException("TensorRT enqueueV3 failed");
                }
                super.enqueue(streamHandle);
            }
        };
        TensorRtPipeline p =
                new TensorRtPipeline(DA2, 8, gpu, engine, "fake.engine"); // no warm-up: fail a client batch
        assertThrows(IllegalStateException.class, () -> p.run(batch(640, 480)));
        for (int k = 0; k < 3; k++) {
            assertEquals(1, p.run(batch(640, 480)).clouds().size());
        }
    }

    @Test
    void rebindsTheContextWhenCalledFromAnotherThread() throws Exception {
        TensorRtPipeline p = open(TensorSpec.HALF, 8, 8);
        gpu.clear();
        Thread t = new Thread(
                () -> {
                    p.run(batch(64, 48));
                    p.run(batch(64, 48));
                },
                "inference-executor");
        t.start();
        t.join();
        assertEquals(1, gpu.ops.stream().filter(o -> o.kind().equals("CURRENT")).count());
    }

    // ---- the device's failure modes, checked here so that a GPU run is not the first to meet them ----

    @Test
    void theWarmUpBatchRunsAtMaxBatchBeforeAnyClientAndAFailureThereReleasesEverything() {
        TensorRtPipeline ok = open(TensorSpec.HALF, 8, 8);
        assertTrue(
                gpu.ops.stream()
                        .anyMatch(o -> o.kind().equals("ENQUEUE") && o.what().equals("enqueueV3 batch 8")),
                "one batch of 8 went through the engine at open");
        assertTrue(ok.lastStageTimes() != null);

        RecordingGpu failing = new RecordingGpu();
        FakeEngine engine = new FakeEngine(failing, FakeEngine.da2(TensorSpec.HALF, 378, 504, 8)) {
            @Override
            public void enqueue(long streamHandle) {
                throw new IllegalStateException("TensorRT enqueueV3 failed for fake.engine");
            }
        };
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> TensorRtPipeline.start(DA2, 8, failing, engine, "fake.engine"));
        assertTrue(
                e.getMessage().startsWith("the warm-up batch failed on the GPU")
                        && e.getMessage().contains("enqueueV3"),
                e.getMessage());
        assertTrue(failing.closed && engine.closed, "device and engine released");
    }

    @Test
    void autoFallsBackToTheCpuWhenTheWarmUpFails() {
        BackendDecision gpuDecision = new BackendDecision(true, "TensorRT 10.15.1 on a fake GPU");
        RecordingGpu failing = new RecordingGpu();
        failing.failNextSync =
                new dev.depthcast.backend.cuda.CudaException("cuEventSynchronize", 700, "CUDA_ERROR_ILLEGAL_ADDRESS");
        FakeEngine engine = new FakeEngine(failing, FakeEngine.da2(TensorSpec.HALF, 378, 504, 8));
        assertEquals(
                null,
                TensorRtBackend.openOrNull(
                        gpuDecision, () -> TensorRtPipeline.start(DA2, 8, failing, engine, "fake.engine")),
                "auto: the CPU");
        assertTrue(failing.closed && engine.closed);
        // The same opener under --backend tensorrt: the reason reaches the user.
        RecordingGpu again = new RecordingGpu();
        again.failNextSync =
                new dev.depthcast.backend.cuda.CudaException("cuEventSynchronize", 700, "CUDA_ERROR_ILLEGAL_ADDRESS");
        Exception e = assertThrows(
                IllegalStateException.class,
                () -> TensorRtPipeline.start(
                        DA2,
                        8,
                        again,
                        new FakeEngine(again, FakeEngine.da2(TensorSpec.HALF, 378, 504, 8)),
                        "fake.engine"));
        assertTrue(e.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), e.getMessage());
    }

    @Test
    void anOpenThatFailsAfterTheEngineWasDeserializedReleasesDeviceAndEngine() {
        FakeEngine engine = new FakeEngine(gpu, FakeEngine.da2(TensorSpec.HALF, 378, 504, 8)) {
            @Override
            public void bind(String tensor, long deviceAddress) {
                throw new IllegalStateException("TensorRT setTensorAddress(" + tensor + ") failed");
            }
        };
        assertThrows(IllegalStateException.class, () -> TensorRtPipeline.start(DA2, 8, gpu, engine, "fake.engine"));
        assertTrue(gpu.closed, "CudaDriver.close frees every buffer it allocated");
        assertTrue(engine.closed);
        // A misfit engine fails before any allocation.
        RecordingGpu fresh = new RecordingGpu();
        assertThrows(
                IllegalArgumentException.class,
                () -> TensorRtPipeline.start(
                        DA2,
                        8,
                        fresh,
                        new FakeEngine(fresh, FakeEngine.da2(TensorSpec.HALF, 378, 504, 4)),
                        "small.engine"));
        assertEquals(0, fresh.deviceAllocations + fresh.pinnedAllocations);
    }

    @Test
    void theInputShapeChangesOnlyWithTheBatchSizeAndOnlyAfterTheDeviceDrained() {
        FakeEngine engine = new FakeEngine(gpu, FakeEngine.da2(TensorSpec.HALF, 378, 504, 8));
        TensorRtPipeline p = TensorRtPipeline.start(DA2, 8, gpu, engine, "fake.engine");
        engine.batches.clear();
        gpu.clear();
        DoubleBuffering.Ticket a = p.submit(batch(64, 48, 64, 48));
        DoubleBuffering.Ticket b = p.submit(batch(64, 48, 64, 48)); // same n while a may run: no shape call
        p.finish(a);
        DoubleBuffering.Ticket c = p.submit(batch(64, 48, 64, 48, 64, 48));
        p.finish(b);
        p.finish(c);
        assertEquals(List.of(2, 3), engine.batches);
        List<String> seq = gpu.ops.stream()
                .filter(o -> o.kind().equals("SHAPE")
                        || o.kind().equals("ENQUEUE")
                        || (o.kind().equals("SYNC") && o.stream() == Stream.COMPUTE))
                .map(o -> o.kind() + (o.kind().equals("SYNC") ? "" : " " + o.what()))
                .toList();
        assertEquals(
                List.of(
                        "SYNC",
                        "SHAPE 2",
                        "ENQUEUE enqueueV3 batch 2",
                        "ENQUEUE enqueueV3 batch 2",
                        "SYNC",
                        "SHAPE 3",
                        "ENQUEUE enqueueV3 batch 3"),
                seq);
    }

    @Test
    void eachStageIsTimedOnTheStreamThatRunsItAndTheHostWaitsOnBlockingEvents() {
        // The fake throws on a cross-stream elapsed time and on a host wait for a spinning event.
        TensorRtPipeline p = open(TensorSpec.HALF, 8, 8);
        DoubleBuffering.Ticket a = p.submit(batch(640, 480));
        DoubleBuffering.Ticket b = p.submit(batch(640, 480)); // overlapped: b's upload while a computes
        p.finish(a);
        GpuStageTimes t = p.lastStageTimes();
        assertEquals(
                List.of(1.0, 1.0, 1.0, 1.0, 1.0),
                List.of(t.uploadMs(), t.preprocessKernelMs(), t.inferenceMs(), t.unprojectKernelsMs(), t.downloadMs()));
        p.finish(b);
        long hostWaits = gpu.ops.stream()
                .filter(o -> o.kind().equals("SYNC") && o.stream() == null)
                .count();
        assertTrue(hostWaits >= 2, "every host wait went through the HOST_WAIT check");
    }

    @Test
    void aStickyCudaErrorEndsThePipelineWithAFaultWhileAnOrdinaryOneCostsOneBatch() {
        TensorRtPipeline p = open(TensorSpec.HALF, 8, 8);
        gpu.failNextSync = new IllegalStateException("not a CUDA error");
        assertThrows(IllegalStateException.class, () -> p.run(batch(64, 48)));
        assertEquals(null, p.fault());
        assertEquals(1, p.run(batch(64, 48)).clouds().size(), "an ordinary failure costs one batch");

        gpu.failNextSync =
                new dev.depthcast.backend.cuda.CudaException("cuEventSynchronize", 719, "CUDA_ERROR_LAUNCH_FAILED");
        dev.depthcast.backend.PipelineFault f =
                assertThrows(dev.depthcast.backend.PipelineFault.class, () -> p.run(batch(64, 48)));
        assertTrue(
                f.getMessage().contains("CUDA_ERROR_LAUNCH_FAILED")
                        && f.getMessage().contains("restart"),
                f.getMessage());
        assertTrue(p.fault() != null);
        gpu.clear();
        assertThrows(dev.depthcast.backend.PipelineFault.class, () -> p.run(batch(64, 48)));
        assertEquals(List.of(), gpu.ops, "nothing more is queued on a poisoned context");
    }

    /** A stand-in engine that writes a known FP16 depth grid per slot (seeded by the call) on enqueue. */
    static final class DepthWritingEngine extends FakeEngine {
        int calls;

        DepthWritingEngine(RecordingGpu gpu) {
            super(gpu, FakeEngine.da2(TensorSpec.HALF, 378, 504, 8));
        }

        @Override
        public void enqueue(long streamHandle) {
            super.enqueue(streamHandle);
            long address = bound.get("predicted_depth");
            RecordingGpu.FakeDevice depth = gpu.devices.stream()
                    .filter(d -> d.address() == address)
                    .findFirst()
                    .orElseThrow();
            ByteBuffer out = ByteBuffer.wrap(depth.memory).order(ByteOrder.LITTLE_ENDIAN);
            int n = batches.get(batches.size() - 1);
            float[] grid = grid(n, calls++);
            for (int i = 0; i < grid.length; i++) {
                out.putShort(2 * i, Fp16Conversions.floatToFp16(grid[i]));
            }
        }

        /** What the engine writes on call {@code call}, as the host reads it back (FP16-rounded). */
        float[] grid(int n, int call) {
            float[] g = new float[n * 504 * 378];
            for (int b = 0; b < n; b++) {
                float scale = 1f + 0.2f * call + 0.1f * b;
                for (int y = 0; y < 378; y++) {
                    for (int x = 0; x < 504; x++) {
                        float r = scale * (1f + 0.3f * (float) Math.sin(x * 0.05) * (float) Math.cos(y * 0.04))
                                + 0.002f * ((x * 7 + y * 13 + call) % 5);
                        g[b * 504 * 378 + y * 504 + x] = Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(r));
                    }
                }
            }
            return g;
        }
    }

    @Test
    void aStabilisedBatchMakesOneHostRoundTripThroughTheSessionsStabilisersAndMapsOnTheDevice() {
        DepthWritingEngine engine = new DepthWritingEngine(gpu);
        TensorRtPipeline p = TensorRtPipeline.start(DA2, 8, gpu, engine, "fake.engine");
        DepthStabiliser[] sessions = {new DepthStabiliser(), new DepthStabiliser()};
        DepthStabiliser[] twins = {new DepthStabiliser(), new DepthStabiliser()};
        int px = 504 * 378;
        for (int round = 0; round < 3; round++) {
            gpu.clear();
            List<BatchItem> items = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                items.add(new BatchItem(frame(640, 480, b), UnprojectParams.DEFAULT, sessions[b]));
            }
            int call = engine.calls;
            BatchResult r = p.run(items);

            // The CPU stabiliser over the very values the engine wrote: what must go back up.
            float[] expected = engine.grid(2, call);
            List<SlotTable.Mapping> mappings = new ArrayList<>();
            List<StabiliserState> states = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                StabilisedMapping m = twins[b].update(expected, b * px, 504, 378, 0.4f, 4f);
                mappings.add(SlotTable.Mapping.of(m));
                states.add(m.state());
            }
            List<String> compute = gpu.on(Stream.COMPUTE).stream()
                    .map(o -> o.kind().equals("LAUNCH")
                            ? o.what()
                            : o.kind() + (o.kind().endsWith("2H") || o.kind().equals("H2D") ? " " + o.what() : ""))
                    .toList();
            int enqueue = compute.indexOf("ENQUEUE");
            assertEquals(
                    List.of(
                            "ENQUEUE",
                            "RECORD",
                            "D2H " + 2L * 2 * px,
                            "RECORD",
                            "RECORD",
                            "H2D " + 2L * SlotTable.SLOT_BYTES,
                            "H2D " + 4L * 2 * px,
                            "RECORD",
                            KernelNames.RANGE_F32,
                            KernelNames.SAMPLE_F32,
                            KernelNames.COMPACT),
                    compute.subList(enqueue, enqueue + 11),
                    "depth down, the host's wait, slots and stabilised depth up, FP32 unprojection");
            assertTrue(
                    gpu.ops.stream().anyMatch(o -> o.kind().equals("SYNC") && o.stream() == null),
                    "the host waits on an event for the depth");

            RecordingGpu.Op up = gpu.on(Stream.COMPUTE).stream()
                    .filter(o -> o.kind().equals("H2D") && o.what().equals(Long.toString(4L * 2 * px)))
                    .findFirst()
                    .orElseThrow();
            FloatBuffer onDevice = ByteBuffer.wrap(((RecordingGpu.FakeDevice) up.args()[0]).memory)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer();
            for (int i = 0; i < 2 * px; i++) {
                assertEquals(
                        Float.floatToIntBits(expected[i]),
                        Float.floatToIntBits(onDevice.get(i)),
                        "round " + round + ": stabilised value " + i + " is the CPU stabiliser's, bit for bit");
            }
            RecordingGpu.Op slots = gpu.on(Stream.COMPUTE).stream()
                    .filter(o -> o.kind().equals("H2D") && o.what().equals(Long.toString(2L * SlotTable.SLOT_BYTES)))
                    .findFirst()
                    .orElseThrow();
            BatchLayout layout = BatchLayout.of(items, 504, 378).withMappings(mappings);
            ByteBuffer table = ByteBuffer.allocate(layout.slotTableBytes());
            layout.writeSlots(table);
            assertArrayEquals(
                    table.array(),
                    Arrays.copyOf(((RecordingGpu.FakeDevice) slots.args()[0]).memory, layout.slotTableBytes()),
                    "each slot's descriptor carries its session's lo, hi and noise factor");
            assertEquals(SlotTable.Mapping.STABILISED_KIND, mappings.get(0).kind());

            assertTrue(r.stabilised());
            // Fake stages are 1 ms: depth down + host work + up.
            assertTrue(r.stabiliseMs() >= 2.0, "stabilise " + r.stabiliseMs());
            assertEquals(2.0, r.unprojectMs(), "unprojection timed from the stabilised upload");
            for (int b = 0; b < 2; b++) {
                assertEquals(states.get(b), r.clouds().get(b).stabiliser());
            }
        }
        assertEquals(1, sessions[0].state().resets());
        p.close();
    }

    @Test
    void aBatchWithoutStabilisersKeepsTheDepthOnTheDevice() {
        TensorRtPipeline p = open(TensorSpec.HALF, 8, 8);
        gpu.clear();
        BatchResult r = p.run(batch(640, 480));
        assertTrue(gpu.on(Stream.COMPUTE).stream().noneMatch(o -> o.kind().equals("H2D")));
        assertTrue(!r.stabilised());
        p.close();
    }

    @Test
    void aMetricPresetMapsOnTheDeviceWithNoRoundTripAndReportsTheDeliveredExtent() {
        Preset metric = Preset.DEPTH_ANYTHING_V2_METRIC_INDOOR;
        TensorRtPipeline p = TensorRtPipeline.start(
                metric,
                8,
                gpu,
                new FakeEngine(gpu, FakeEngine.da2(TensorSpec.HALF, metric.inputHeight(), metric.inputWidth(), 8)),
                "fake.engine");
        gpu.clear();
        List<BatchItem> items = new ArrayList<>();
        items.add(new BatchItem(frame(640, 480, 0), UnprojectParams.DEFAULT, new DepthStabiliser()));
        BatchResult r = p.run(items);
        RecordingGpu.Op slots = gpu.on(Stream.UPLOAD).get(3);
        ByteBuffer table = ByteBuffer.wrap(((RecordingGpu.FakeDevice) slots.args()[0]).memory)
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(SlotTable.Mapping.METRIC_KIND, table.getInt(68), "DcSlot.mapping");
        assertTrue(gpu.on(Stream.COMPUTE).stream().noneMatch(o -> o.kind().equals("H2D")), "no round trip");
        assertTrue(!r.stabilised());
        // No point kept by the fake kernels: the range is the configured one.
        assertEquals(UnprojectParams.DEFAULT.near(), r.clouds().get(0).near());
        p.close();
    }

    private RecordingGpu.FakeDevice device(long address) {
        return gpu.devices.stream()
                .filter(d -> d.address() == address)
                .findFirst()
                .orElseThrow();
    }
}
