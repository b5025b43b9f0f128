package dev.depthcast.client;

import dev.depthcast.wire.CompactCodec;
import dev.depthcast.wire.PointCloudCodec;
import dev.depthcast.wire.PointCloudMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

class WireMeasureScratch {
    @Test
    void measure() throws Exception {
        for (String name : List.of("scene")) {
            FramePainter painter = name.equals("scene") ? FramePainter.cameraScene() : FramePainter.movingDisc();
            for (int stride : new int[] {1}) {
                List<PointCloudMessage> ms = WireSamples.messages(painter, 6, 7, stride);
                for (int level : new int[] {1}) {
                    for (int[] q : new int[][] {{4, 4}, {6, 6}}) {
                        try (CompactCodec codec = new CompactCodec(level)) {
                            long bytes = 0; double minPsnr = 1e9; double maxErr = 0; double enc = 0, dec = 0;
                            int pts = 0;
                            for (int rep = 0; rep < 3; rep++)
                            for (PointCloudMessage m : ms) {
                                long t0 = System.nanoTime();
                                byte[] b = codec.encode(m, new CompactCodec.ColourSteps(q[0], q[1], 1)).bytes();
                                long t1 = System.nanoTime();
                                PointCloudMessage back = codec.decode(b);
                                long t2 = System.nanoTime();
                                if (rep < 2) continue;
                                enc += (t1 - t0) / 1e6; dec += (t2 - t1) / 1e6;
                                bytes += b.length; pts += m.count();
                                double se = 0;
                                for (int i = 0; i < m.count() * 3; i++) {
                                    double d = (m.rgb()[i] & 0xff) - (back.rgb()[i] & 0xff);
                                    se += d * d;
                                    double dz = Math.abs(m.xyz()[i] - back.xyz()[i]) / Math.max(1e-3, 1e-3 * -m.xyz()[i / 3 * 3 + 2]);
                                    maxErr = Math.max(maxErr, dz);
                                }
                                double psnr = 10 * Math.log10(255.0 * 255 / (se / (m.count() * 3)));
                                minPsnr = Math.min(minPsnr, psnr);
                            }
                            int v1 = PointCloudCodec.encode(ms.get(0)).bytes().length;
                            System.out.printf("%s stride %d deflate %d q %d/%d: pts %d bytes %d (v1 %d) minPSNR %.1f maxErr/bound %.3f enc %.2f dec %.2f ms%n",
                                    name, stride, level, q[0], q[1], pts / ms.size(), bytes / ms.size(), v1, minPsnr, maxErr, enc / ms.size(), dec / ms.size());
                        }
                    }
                }
            }
        }
    }
}
