package dev.depthcast.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.depthcast.ingest.I420Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationRecorderTest {

    @TempDir
    Path dir;

    @Test
    void keepsOneFrameAClientPerIntervalUpToTheTotalOneClipPerClientAndSize() throws Exception {
        long[] now = {0};
        CalibrationRecorder r =
                new CalibrationRecorder(new CalibrationRecorder.Settings(dir, 7, Duration.ofSeconds(1)), () -> now[0]);
        // Two cameras at 30 fps for 5 s; b changes resolution after 2 s.
        for (int f = 0; f < 150; f++) {
            now[0] = f * 33_333_333L;
            r.offer("a", Y4mTest.frame(64, 48, f));
            r.offer("b", f < 60 ? Y4mTest.frame(32, 24, f) : Y4mTest.frame(48, 32, f));
        }
        r.close();
        assertEquals(7, r.kept(), "capped at --record-frames");
        List<Path> clips;
        try (Stream<Path> s = Files.list(dir)) {
            clips = s.sorted().toList();
        }
        assertEquals(
                List.of("a_64x48.y4m", "b_32x24.y4m", "b_48x32.y4m"),
                clips.stream().map(p -> p.getFileName().toString()).toList());
        List<I420Frame> a = Y4m.read(clips.get(0));
        int total = a.size()
                + Y4m.read(clips.get(1)).size()
                + Y4m.read(clips.get(2)).size();
        assertEquals(7, total);
        assertEquals(4, a.size(), "a: t = 0, 1, 2, 3 s (the cap ends it)");
        assertEquals(31, a.get(1).y()[0], "frame 31 (t = 1.03 s): the first at least a second after frame 0");
        assertEquals(0, r.skipped());
    }
}
