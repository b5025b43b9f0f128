package dev.depthcast.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java side agrees with the kernel sources: names, parameter counts, block sizes, struct layouts. */
class KernelSourcesTest {

    @Test
    void everyJavaKernelNameIsAnExternCKernelWithThatManyParameters() {
        Map<String, KernelSources.Signature> cu = KernelSources.kernels();
        assertEquals(KernelNames.ALL.size(), cu.size(), "kernels in .cu files: " + cu.keySet());
        for (KernelNames.Kernel k : KernelNames.ALL) {
            KernelSources.Signature s = cu.get(k.name());
            assertNotNull(s, k.name() + " is not an extern \"C\" __global__ kernel");
            assertEquals(k.parameters(), s.parameterTypes().size(), k.name() + " parameters " + s.parameterTypes());
        }
    }

    @Test
    void blockSizesFitTheKernelsSharedArrays() {
        assertEquals(KernelSources.define("unproject.cu", "DC_RANGE_THREADS"), LaunchGeometry.RANGE_THREADS);
        assertTrue(Integer.bitCount(LaunchGeometry.RANGE_THREADS) == 1, "tree reduction needs a power of two");
        assertEquals(KernelSources.define("unproject.cu", "DC_RANGE_BLOCKS"), LaunchGeometry.RANGE_BLOCKS);
        assertTrue(Integer.bitCount(LaunchGeometry.RANGE_BLOCKS) == 1, "tree reduction of the parts");
        assertEquals(KernelSources.define("unproject.cu", "DC_SAMPLE_THREADS"), LaunchGeometry.SAMPLE_THREADS);
        assertEquals(0, LaunchGeometry.SAMPLE_THREADS % 32, "warp ballots over whole warps");
    }

    @Test
    void slotTableOffsetsMatchTheHeadersStaticAsserts() {
        Map<String, Integer> a = KernelSources.layoutAsserts();
        assertEquals(SlotTable.SLOT_BYTES, a.get("sizeof(DcSlot)"));
        assertEquals(SlotTable.NORM_BYTES, a.get("sizeof(DcNorm)"));
        assertEquals(SlotTable.OFF_STRIDE, a.get("offsetof(DcSlot,stride)"));
        assertEquals(SlotTable.OFF_POINT_OFF, a.get("offsetof(DcSlot,point_off)"));
        assertEquals(SlotTable.OFF_FX, a.get("offsetof(DcSlot,fx)"));
        assertEquals(SlotTable.OFF_EDGE, a.get("offsetof(DcSlot,edge)"));
        assertEquals(SlotTable.NORM_OFF_CHANNEL_SLOT, a.get("offsetof(DcNorm,channel_slot)"));
    }

    @Test
    void yuvConstantsAreTheJavaOnes() throws Exception {
        String h = KernelSources.read("depthcast_math.cuh");
        for (String[] c : new String[][] {
            {"DC_KY", "KY"}, {"DC_KRV", "KRV"}, {"DC_KGU", "KGU"}, {"DC_KGV", "KGV"}, {"DC_KBU", "KBU"}
        }) {
            java.lang.reflect.Field f = dev.depthcast.process.Yuv.class.getDeclaredField(c[1]);
            f.setAccessible(true);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("#define " + c[0] + " ([0-9.]+)f")
                    .matcher(h);
            assertTrue(m.find(), c[0]);
            assertEquals(f.getFloat(null), Float.parseFloat(m.group(1)), c[0]);
        }
    }
}
