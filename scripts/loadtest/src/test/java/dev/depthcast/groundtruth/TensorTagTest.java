package dev.depthcast.groundtruth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.ingest.FrameTag;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.model.Preset;
import dev.depthcast.process.Preprocessor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TensorTagTest {

    static final RoomScene SCENE = new RoomScene(new PinholeCamera(70, 640, 480), 180);

    @Test
    void theTagReadsBackThroughTheRealPreprocessorAtEveryPresetsSize() {
        for (Preset preset : new Preset[] {Preset.DEPTH_ANYTHING_V2, Preset.MIDAS_SMALL, Preset.RELIEF}) {
            for (long index : new long[] {0, 1, 179, 1234, 65535}) {
                float[] tensor = tensor(preset, 1, Clip.frame(SCENE, index));
                assertEquals(
                        index & 0xFFFF,
                        new TensorTag(preset, 640, 480).read(tensor, 0),
                        preset.name() + " frame " + index);
            }
        }
    }

    @Test
    void eachBatchSlotIsReadOnItsOwn() {
        Preset preset = Preset.DEPTH_ANYTHING_V2;
        Preprocessor p = new Preprocessor(preset);
        float[] tensor = new float[p.tensorLength(3)];
        p.write(Clip.frame(SCENE, 17), tensor, 0);
        p.write(Clip.frame(SCENE, 4242), tensor, 1);
        p.write(Clip.frame(SCENE, 99), tensor, 2);
        TensorTag tags = new TensorTag(preset, 640, 480);
        assertEquals(17, tags.read(tensor, 0));
        assertEquals(4242, tags.read(tensor, 1));
        assertEquals(99, tags.read(tensor, 2));
    }

    @Test
    void aFrameWithoutATagReadsAsNone() {
        I420Frame tagged = Clip.frame(SCENE, 5);
        byte[] u = tagged.u().clone();
        Arrays.fill(u, 0, FrameTag.stripRows(480) / 2 * 320, (byte) 128); // a camera's grey strip
        I420Frame plain = new I420Frame(640, 480, tagged.y(), u, tagged.v(), 0, 0, 0, 0, 0);
        assertEquals(
                -1,
                new TensorTag(Preset.DEPTH_ANYTHING_V2, 640, 480).read(tensor(Preset.DEPTH_ANYTHING_V2, 1, plain), 0));
    }

    static float[] tensor(Preset preset, int n, I420Frame frame) {
        Preprocessor p = new Preprocessor(preset);
        float[] tensor = new float[p.tensorLength(n)];
        p.write(frame, tensor, 0);
        return tensor;
    }
}
