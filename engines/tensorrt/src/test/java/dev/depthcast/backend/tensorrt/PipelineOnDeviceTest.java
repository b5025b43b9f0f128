package dev.depthcast.backend.tensorrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.BatchResult;
import dev.depthcast.backend.HostPipeline;
import dev.depthcast.backend.ModelRuntime;
import dev.depthcast.backend.cuda.CudaDriver;
import dev.depthcast.backend.cuda.DoubleBuffering;
import dev.depthcast.backend.cuda.KernelImage;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole CUDA pipeline — CudaDriver (JCuda), TensorRtPipeline's streams, events, A/B buffers,
 * staging, the kernels, the downloads, the warm-up — on a real device, with TensorRT replaced by a
 * model whose answer is known: "depth = the normalised red channel" (FP32 I/O, a device-to-device
 * copy). The same model on the CPU path (HostPipeline, Java math) must give the same clouds,
 * bitwise: the kernels reproduce the Java path exactly (kernels/README.md). Tagged {@code gpu};
 * runs on a GPU host with {@code mvn test -Pgpu} or scripts/device-java-check.sh.
 */
@Tag("gpu")
class PipelineOnDeviceTest {

    static final Preset P = Preset.DEPTH_ANYTHING_V2;

    /** TensorRT stand-in: copies channel 0 of each slot's input into its depth map. */
    static final class RedChannelEngine implements InferenceEngine {
        final Map<String, Long> bound = new HashMap<>();
        int n = 8;

        @Override
        public List<TensorSpec> tensors() {
            int h = P.inputHeight();
            int w = P.inputWidth();
            return List.of(
                    new TensorSpec(
                            "pixel_values",
                            true,
                            TensorSpec.FLOAT,
                            TensorSpec.LINEAR,
                            new long[] {-1, 3, h, w},
                            new long[] {1, 3, h, w},
                            new long[] {4, 3, h, w},
                            new long[] {8, 3, h, w}),
                    new TensorSpec(
                            "predicted_depth",
                            false,
                            TensorSpec.FLOAT,
                            TensorSpec.LINEAR,
                            new long[] {-1, h, w},
                            null,
                            null,
                            null));
        }

        @Override
        public long[] setBatch(String input, int n, int height, int width, String output) {
            this.n = n;
            return new long[] {n, height, width};
        }

        @Override
        public void bind(String tensor, long deviceAddress) {
            bound.put(tensor, deviceAddress);
        }

        @Override
        public void enqueue(long streamHandle) {
            // Synchronous stand-in: the preprocess kernel queued before this call is done once the
            // context is idle; the copies finish before the unproject kernels are queued after it.
            check(JCudaDriver.cuCtxSynchronize());
            long plane = 4L * P.inputPixels();
            for (int b = 0; b < n; b++) {
                check(JCudaDriver.cuMemcpyDtoD(
                        at(bound.get("predicted_depth") + b * plane),
                        at(bound.get("pixel_values") + b * 3 * plane),
                        plane));
            }
        }

        @Override
        public String version() {
            return "red-channel stand-in";
        }

        @Override
        public void close() {}

        static CUdeviceptr at(long address) {
            try {
                CUdeviceptr p = new CUdeviceptr();
                Field f = jcuda.NativePointerObject.class.getDeclaredField("nativePointer");
                f.setAccessible(true);
                f.setLong(p, address);
                return p;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        static void check(int rc) {
            if (rc != 0) {
                throw new IllegalStateException("CUDA error " + rc);
            }
        }
    }

    /** The same model on the host. */
    static final class RedChannelRuntime implements ModelRuntime {
        @Override
        public String backendName() {
            return "cpu-red-channel";
        }

        @Override
        public DepthMaps infer(float[] input, int n) {
            int px = P.inputPixels();
            float[] depth = new float[n * px];
            for (int b = 0; b < n; b++) {
                System.arraycopy(input, b * 3 * px, depth, b * px, px);
            }
            return new DepthMaps(depth, n, P.inputHeight(), P.inputWidth());
        }

        @Override
        public void close() {}
    }

    static I420Frame frame(int w, int h, int seed) {
        byte[] y = new byte[I420Frame.lumaSize(w, h)];
        byte[] u = new byte[I420Frame.chromaSize(w, h)];
        byte[] v = new byte[I420Frame.chromaSize(w, h)];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                // Smooth shading plus a bright square: depth steps that the edge filter must see.
                boolean square = Math.abs(i - w / 2) < w / 6 && Math.abs(j - h / 2) < h / 6;
                y[j * w + i] = (byte) (square ? 220 : 30 + (i * 150 / w + j * 40 / h + seed * 7) % 170);
            }
        }
        for (int k = 0; k < u.length; k++) {
            u[k] = (byte) (100 + (k * 3 + seed) % 56);
            v[k] = (byte) (110 + (k * 5 + seed) % 40);
        }
        return new I420Frame(w, h, y, u, v, seed, 0, 0, 0, 0);
    }

    /** Six batches of 1, 2, 3, 4, 1, 2 frames of mixed sizes; slot b belongs to session b. */
    static List<List<BatchItem>> batches(IntFunction<DepthStabiliser> session) {
        List<List<BatchItem>> batches = new ArrayList<>();
        int[][] sizes = {{640, 480}, {1280, 720}, {321, 241}, {480, 640}, {1920, 1080}};
        for (int k = 0; k < 6; k++) {
            List<BatchItem> items = new ArrayList<>();
            for (int b = 0; b <= k % 4; b++) { // the shape changes and stays
                int[] s = sizes[(k + b) % sizes.length];
                items.add(new BatchItem(
                        frame(s[0], s[1], k * 10 + b),
                        new UnprojectParams(1 + (k + b) % 3, 60, 0.4f, 4f, b == 1 ? 0f : 0.1f),
                        session.apply(b)));
            }
            batches.add(items);
        }
        return batches;
    }

    @Test
    void theGpuPipelineGivesTheCpuPipelinesCloudsBitwise() throws Exception {
        compare(batches(b -> null), batches(b -> null), "each frame through its own range");
    }

    /**
     * Stabilised sessions: the GPU path's host round trip runs the same stabiliser over the same
     * FP32 depth, and its kernels map the result with the CPU's float operations.
     */
    @Test
    void stabilisedSessionsGiveTheCpuPipelinesCloudsAndMappingsBitwise() throws Exception {
        DepthStabiliser[] cpu = new DepthStabiliser[4];
        DepthStabiliser[] gpu = new DepthStabiliser[4];
        for (int b = 0; b < 4; b++) {
            cpu[b] = new DepthStabiliser();
            gpu[b] = new DepthStabiliser();
        }
        compare(batches(b -> cpu[b]), batches(b -> gpu[b]), "stabilised");
        for (int b = 0; b < 4; b++) {
            assertEquals(cpu[b].state(), gpu[b].state(), "session " + b + " stabiliser state");
        }
    }

    static void compare(List<List<BatchItem>> onCpu, List<List<BatchItem>> onGpu, String label) throws Exception {
        ProbeFacts f = GpuProbe.system();
        Assumptions.assumeTrue(f.driverNodes() && f.driverError() == null && f.deviceCount() > 0, "no CUDA device");
        Optional<KernelImage> kernels = KernelImage.fromClasspath();
        Assumptions.assumeTrue(kernels.isPresent(), "kernels not built: run scripts/build-kernels.sh");

        HostPipeline cpu = new HostPipeline(P, new RedChannelRuntime(), 8);
        List<BatchResult> expected = new ArrayList<>();
        for (List<BatchItem> items : onCpu) {
            expected.add(cpu.run(items));
        }
        List<List<BatchItem>> batches = onGpu;
        try (TensorRtPipeline gpu = TensorRtPipeline.start(
                P, 8, new CudaDriver(0, kernels.get().bytes()), new RedChannelEngine(), "red-channel")) {
            // Overlapped as the executor drives it: submit k+1 before finishing k.
            List<BatchResult> got = new ArrayList<>();
            DoubleBuffering.Ticket prev = null;
            for (List<BatchItem> items : batches) {
                DoubleBuffering.Ticket t = gpu.submit(items);
                if (prev != null) {
                    got.add(gpu.finish(prev));
                }
                prev = t;
            }
            got.add(gpu.finish(prev));
            int points = 0;
            for (int k = 0; k < batches.size(); k++) {
                for (int b = 0; b < batches.get(k).size(); b++) {
                    PointCloud e = expected.get(k).clouds().get(b);
                    PointCloud g = got.get(k).clouds().get(b);
                    String where = "batch " + k + " slot " + b;
                    assertEquals(e.count(), g.count(), where + " point count");
                    assertEquals(e.near(), g.near(), where + " range near");
                    assertEquals(e.far(), g.far(), where + " range far");
                    assertEquals(e.stabiliser(), g.stabiliser(), where + " stabiliser state");
                    // The CPU path's arrays may be longer than its points (reused buffers): compare the points.
                    assertArrayEquals(
                            Arrays.copyOf(e.xyz(), 3 * e.count()),
                            Arrays.copyOf(g.xyz(), 3 * g.count()),
                            where + " xyz");
                    assertArrayEquals(
                            Arrays.copyOf(e.rgb(), 3 * e.count()),
                            Arrays.copyOf(g.rgb(), 3 * g.count()),
                            where + " rgb");
                    points += g.count();
                }
            }
            System.out.println("on the device (" + label + "): " + batches.size() + " batches, " + points
                    + " points, bitwise equal to the CPU path; last batch " + gpu.lastStageTimes());
            assertTrue(points > 100_000, "a real amount of work: " + points);
            assertTrue(Arrays.stream(
                            new double[] {got.get(0).inferenceMs(), got.get(0).unprojectMs()})
                    .allMatch(x -> x >= 0));
        }
    }
}
