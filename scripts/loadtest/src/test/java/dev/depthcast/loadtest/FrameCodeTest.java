package dev.depthcast.loadtest;

import dev.depthcast.backend.BatchItem;
import dev.depthcast.backend.HostPipeline;
import dev.depthcast.backend.simulated.SimulatedGpuModel;
import dev.depthcast.config.SimulatedCost;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.wire.PointCloudCodec;
import dev.depthcast.wire.PointCloudMessage;
import dev.depthcast.metrics.FrameTimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The frame code survives the server's whole host pipeline and the wire: painted → points → read back. */
class FrameCodeTest {

    static I420Frame paint(CodedPainter painter, long index, int w, int h) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        // Padded strides, as native buffers may have.
        int sy = w + 16;
        int sc = cw + 8;
        ByteBuffer y = ByteBuffer.allocate(sy * h);
        ByteBuffer u = ByteBuffer.allocate(sc * ch);
        ByteBuffer v = ByteBuffer.allocate(sc * ch);
        painter.paint(index, w, h, y, sy, u, sc, v, sc);
        byte[] yy = new byte[w * h];
        byte[] uu = new byte[cw * ch];
        byte[] vv = new byte[cw * ch];
        for (int r = 0; r < h; r++) {
            y.get(r * sy, yy, r * w, w);
        }
        for (int r = 0; r < ch; r++) {
            u.get(r * sc, uu, r * cw, cw);
            v.get(r * sc, vv, r * cw, cw);
        }
        return new I420Frame(w, h, yy, uu, vv, 1, 0, 0, 0, 0);
    }

    static PointCloudMessage throughTheServer(I420Frame frame, int stride) throws Exception {
        try (HostPipeline pipeline = new HostPipeline(Preset.RELIEF,
                new SimulatedGpuModel(Preset.RELIEF, new SimulatedCost(0, 0)), 1)) {
            PointCloud c = pipeline.run(List.of(new BatchItem(frame, new UnprojectParams(stride, 60f, 0.4f, 4f, 0.1f))))
                    .clouds().get(0);
            PointCloudMessage m = new PointCloudMessage(1, 1, 0, 0, 0, c.gridWidth(), c.gridHeight(), c.stride(),
                    c.count(), c.xyz(), c.rgb(), c.intrinsics(), c.near(), c.far(), FrameTimes.of(0, 0, 0, 0, 0, 0), 1,
                    0, "relief", "simulated");
            return PointCloudCodec.decode(PointCloudCodec.encode(m).bytes());
        }
    }

    @ParameterizedTest
    @CsvSource({"640,480,3,0", "640,480,3,1", "640,480,3,40961", "640,480,1,65535", "640,480,6,65543",
            "320,240,3,777", "1280,720,3,31337", "321,241,3,4242", "160,120,4,99"})
    void aPaintedIndexIsReadBackFromTheResult(int w, int h, int stride, long index) throws Exception {
        FrameCode code = new FrameCode(w, h);
        PointCloudMessage m = throughTheServer(paint(new CodedPainter(code), index, w, h), stride);
        assertEquals((int) (index & 0xFFFF), code.read(m));
    }

    @Test
    void aCorruptedCellIsRejectedNotMisread() throws Exception {
        FrameCode code = new FrameCode(640, 480);
        I420Frame f = paint(new CodedPainter(code), 1234, 640, 480);
        // Flip cell 3 of the top row (bit 3 of 1234 = 0): paint its chroma "one".
        int cw = 320;
        for (int cy = 0; cy < code.stripRows() / 4; cy++) {
            for (int x = 0; x < cw; x++) {
                if (FrameCode.column(2 * x, 640) == 3) {
                    f.u()[cy * cw + x] = (byte) FrameCode.U_ONE;
                }
            }
        }
        assertEquals(-1, code.read(throughTheServer(f, 3)));
    }

    @Test
    void unwrapFindsTheLatestFrameWithThoseLowBits() {
        assertEquals(5, FrameCode.unwrap(5, 5));
        assertEquals(3, FrameCode.unwrap(3, 10));
        assertEquals(65535, FrameCode.unwrap(65535, 65536 + 2));
        assertEquals(65536 * 3 + 7, FrameCode.unwrap(7, 65536 * 3 + 20));
    }

    @Test
    void crcCatchesEverySingleBitFlip() {
        for (int counter = 0; counter < 65536; counter += 97) {
            int word = FrameCode.word(counter);
            for (int bit = 0; bit < FrameCode.BITS; bit++) {
                int bad = word ^ (1 << bit);
                int c = bad & 0xFFFF;
                assertEquals(false, (bad >>> 16) == FrameCode.crc8(c), "flip " + bit + " of " + counter);
            }
        }
    }
}
