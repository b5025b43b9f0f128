package dev.depthcast.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.backend.cuda.CudaDriver;
import dev.depthcast.backend.cuda.GpuOps;
import dev.depthcast.backend.cuda.GpuOps.Device;
import dev.depthcast.backend.cuda.GpuOps.Pinned;
import dev.depthcast.backend.cuda.GpuOps.Stream;
import dev.depthcast.backend.cuda.KernelImage;
import dev.depthcast.backend.cuda.KernelNames;
import dev.depthcast.backend.cuda.LaunchGeometry;
import dev.depthcast.backend.cuda.SlotTable;
import dev.depthcast.backend.tensorrt.GpuProbe;
import dev.depthcast.backend.tensorrt.ProbeFacts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The first thing to run on a real GPU: the compiled kernels (not the host build of their header)
 * over the same golden vectors, through CudaDriver, without TensorRT. Tagged {@code gpu}: the
 * default build excludes it, {@code mvn test -Pgpu} runs it on a GPU host (scripts/device-check.sh
 * runs it there from a bundled Java runtime); elsewhere it is skipped. FP32 must match the Java
 * path within 1e-3 (bitwise, expected, with -fmad=false); FP16 preprocessing within 2e-3 (half
 * rounding of values up to ~2.7).
 */
@Tag("gpu")
class GoldenOnDeviceTest {

    @Test
    void compiledKernelsReproduceTheGoldenVectors() throws IOException {
        ProbeFacts f = GpuProbe.system();
        Assumptions.assumeTrue(
                f.driverNodes() && f.driverError() == null && f.deviceCount() > 0,
                "no CUDA device: the kernels cannot run on this machine");
        Optional<KernelImage> kernels = KernelImage.fromClasspath();
        Assumptions.assumeTrue(kernels.isPresent(), "kernels not built: run scripts/build-kernels.sh");
        List<Path> files;
        try (java.util.stream.Stream<Path> s = Files.list(GoldenVectorsTest.dir())) {
            files = s.filter(p -> p.toString().endsWith(GoldenVectorsTest.SUFFIX))
                    .sorted()
                    .toList();
        }
        try (GpuOps gpu = new CudaDriver(0, kernels.get().bytes())) {
            for (Path p : files) {
                check(gpu, GoldenFile.read(p), p.getFileName().toString());
            }
        }
    }

    @Test
    void halfDecodingForTheFp16Check() {
        assertEquals(1f, halfToFloat((short) 0x3c00));
        assertEquals(-2f, halfToFloat((short) 0xc000));
        assertEquals(65504f, halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, halfToFloat((short) 0x0001));
        assertEquals(0.333251953125f, halfToFloat((short) 0x3555));
        assertEquals(Float.POSITIVE_INFINITY, halfToFloat((short) 0x7c00));
    }

    private static void check(GpuOps gpu, GoldenFile g, String name) {
        boolean batch = g.has("n");
        int n = batch ? g.integer("n") : 1;
        byte[] frames = batch ? g.bytes("frames") : concat(g.bytes("y"), g.bytes("u"), g.bytes("v"));
        byte[] slots = batch ? g.bytes("slots") : g.bytes("slot");
        int inW = g.integer("in_w");
        int inH = g.integer("in_h");
        int gw = g.integer("grid_w");
        int gh = g.integer("grid_h");
        float[] depth = g.floats("depth");
        int capacity = n * gw * gh;

        Device dFrames = upload(gpu, frames);
        Device dSlots = upload(gpu, slots);
        Device dNorm = upload(gpu, g.bytes("norm"));
        Device dDepth = upload(gpu, floats(depth));
        Device out32 = gpu.allocDevice(4L * n * 3 * inW * inH);
        Device out16 = gpu.allocDevice(2L * n * 3 * inW * inH);
        Device range = gpu.allocDevice(8L * LaunchGeometry.RANGE_BLOCKS * n);
        Device z = gpu.allocDevice(4L * capacity);
        Device keep = gpu.allocDevice(capacity);
        Device xyz = gpu.allocDevice(12L * capacity);
        Device rgb = gpu.allocDevice(3L * capacity);
        Device counts = gpu.allocDevice(4L * n);
        Stream cs = Stream.COMPUTE;
        gpu.launch(
                KernelNames.PREPROCESS_F32,
                LaunchGeometry.preprocess(inW, inH, n),
                cs,
                dFrames,
                dSlots,
                dNorm,
                out32,
                n);
        gpu.launch(
                KernelNames.PREPROCESS_F16,
                LaunchGeometry.preprocess(inW, inH, n),
                cs,
                dFrames,
                dSlots,
                dNorm,
                out16,
                n);
        int maxSamples = 0;
        ByteBuffer table = ByteBuffer.wrap(slots).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < n; b++) {
            maxSamples = Math.max(
                    maxSamples,
                    table.getInt(b * SlotTable.SLOT_BYTES + 28) * table.getInt(b * SlotTable.SLOT_BYTES + 32));
        }
        gpu.launch(KernelNames.RANGE_F32, LaunchGeometry.range(n), cs, dDepth, gw, gh, range, n);
        Device tiles = gpu.allocDevice(4L * n * LaunchGeometry.tiles(maxSamples));
        gpu.launch(
                KernelNames.SAMPLE_F32,
                LaunchGeometry.sample(maxSamples, n),
                cs,
                dDepth,
                gw,
                gh,
                dSlots,
                range,
                z,
                keep,
                tiles,
                n);
        gpu.launch(
                KernelNames.COMPACT,
                LaunchGeometry.compact(maxSamples, n),
                cs,
                dFrames,
                dSlots,
                z,
                keep,
                tiles,
                gw,
                gh,
                xyz,
                rgb,
                counts,
                n);
        ByteBuffer t32 = download(gpu, out32, 4L * n * 3 * inW * inH);
        float[] got = new float[n * 3 * inW * inH];
        t32.asFloatBuffer().get(got);
        GoldenVectorsTest.assertClose(g.floats("tensor"), got, name + " preprocess f32 on the device");
        ByteBuffer t16 = download(gpu, out16, 2L * n * 3 * inW * inH);
        float[] expected = g.floats("tensor");
        for (int i = 0; i < expected.length; i++) {
            float h = halfToFloat(t16.getShort(2 * i));
            if (Math.abs(h - expected[i]) > 2e-3f) {
                throw new AssertionError(name + " preprocess f16 [" + i + "]: " + h + " vs " + expected[i]);
            }
        }
        int[] c = new int[n];
        download(gpu, counts, 4L * n).asIntBuffer().get(c);
        int[] expectedCounts = batch ? g.ints("counts") : new int[] {g.integer("count")};
        assertArrayEquals(expectedCounts, c, name + " counts");
        ByteBuffer x = download(gpu, xyz, 12L * capacity);
        ByteBuffer r = download(gpu, rgb, 3L * capacity);
        List<Float> allXyz = new ArrayList<>();
        List<Byte> allRgb = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            int off = table.getInt(b * SlotTable.SLOT_BYTES + 36);
            for (int i = 0; i < c[b] * 3; i++) {
                allXyz.add(x.getFloat(4 * (off * 3 + i)));
                allRgb.add(r.get(off * 3 + i));
            }
        }
        float[] xs = new float[allXyz.size()];
        byte[] rs = new byte[allRgb.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = allXyz.get(i);
            rs[i] = allRgb.get(i);
        }
        GoldenVectorsTest.assertClose(g.floats("xyz"), xs, name + " xyz on the device");
        assertEquals(Arrays.toString(g.bytes("rgb")), Arrays.toString(rs), name + " rgb on the device");
    }

    /** IEEE 754 binary16 -> float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            return (sign != 0 ? -1f : 1f) * mant * 0x1p-24f;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static Device upload(GpuOps gpu, byte[] bytes) {
        Pinned p = gpu.allocPinned(bytes.length);
        p.view().put(0, bytes);
        Device d = gpu.allocDevice(bytes.length);
        gpu.copyToDevice(d, p, bytes.length, Stream.COMPUTE);
        gpu.synchronize(Stream.COMPUTE);
        gpu.free(p);
        return d;
    }

    private static ByteBuffer download(GpuOps gpu, Device d, long bytes) {
        Pinned p = gpu.allocPinned(bytes);
        gpu.copyToHost(p, d, bytes, Stream.COMPUTE);
        gpu.synchronize(Stream.COMPUTE);
        ByteBuffer copy = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(0, p.view(), 0, (int) bytes);
        gpu.free(p);
        return copy;
    }

    private static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
