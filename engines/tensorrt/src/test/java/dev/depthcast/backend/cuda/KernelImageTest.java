package dev.depthcast.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

public class KernelImageTest {

    /** A fatbin with the given entries (kind 1 PTX / 2 ELF, arch), tiny payloads. */
    public static byte[] fatbin(int[][] entries) {
        int payload = 16;
        int entryHeader = 64;
        int body = entries.length * (entryHeader + payload);
        ByteBuffer b = ByteBuffer.allocate(16 + body).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(KernelImage.FATBIN_MAGIC)
                .putShort((short) 1)
                .putShort((short) 16)
                .putLong(body);
        for (int[] e : entries) {
            int at = b.position();
            b.putShort((short) e[0]).putShort((short) 0x101).putInt(entryHeader).putLong(payload);
            b.position(at + 0x1c);
            b.putInt(e[1]);
            b.position(at + entryHeader + payload);
        }
        return b.array();
    }

    public static final int[][] BUILT = {{2, 75}, {2, 80}, {2, 86}, {2, 89}, {1, 90}, {2, 90}};

    @Test
    void parsesTheTableOfContents() {
        KernelImage k = KernelImage.parse(fatbin(BUILT));
        assertEquals(6, k.entries().size());
        assertEquals(new KernelImage.Entry(true, 90), k.entries().get(4));
        assertEquals("sm_75, sm_80, sm_86, sm_89, compute_90, sm_90", k.targets());
    }

    @Test
    void runsOnSassCompatibleOrPtxJitDevicesOnly() {
        KernelImage k = KernelImage.parse(fatbin(BUILT));
        assertTrue(k.runsOn(7, 5));
        assertTrue(k.runsOn(8, 0));
        assertTrue(k.runsOn(8, 7), "sm_87 runs sm_86 SASS");
        assertTrue(k.runsOn(8, 9));
        assertTrue(k.runsOn(9, 0));
        assertTrue(k.runsOn(12, 0), "Blackwell JIT-compiles compute_90 PTX");
        assertTrue(k.runsOn(10, 0));
        assertFalse(k.runsOn(7, 0), "Volta: too old");
        assertFalse(k.runsOn(6, 1), "Pascal: too old");
        assertFalse(k.needsJit(8, 6));
        assertTrue(k.needsJit(12, 0));
        KernelImage sassOnly = KernelImage.parse(fatbin(new int[][] {{2, 80}}));
        assertFalse(sassOnly.runsOn(9, 0), "SASS does not cross majors");
    }

    @Test
    void refusesGarbage() {
        assertThrows(IllegalArgumentException.class, () -> KernelImage.parse(new byte[32]));
        byte[] cut = fatbin(BUILT);
        assertThrows(IllegalArgumentException.class, () -> KernelImage.parse(java.util.Arrays.copyOf(cut, 100)));
    }

    /** After scripts/build-kernels.sh (CI runs it first), the jar's fatbin holds every target. */
    @Test
    void theBuiltFatbinHoldsSassForEveryTargetAndPtx() {
        Optional<KernelImage> k = KernelImage.fromClasspath();
        Assumptions.assumeTrue(k.isPresent(), "kernels not built (no nvcc): nothing to check");
        assertEquals(
                List.of(
                        new KernelImage.Entry(false, 75),
                        new KernelImage.Entry(false, 80),
                        new KernelImage.Entry(false, 86),
                        new KernelImage.Entry(false, 89),
                        new KernelImage.Entry(true, 90),
                        new KernelImage.Entry(false, 90)),
                k.get().entries());
    }
}
