package dev.depthcast.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depthcast.DepthcastServer;
import dev.depthcast.calibration.CalibrationRecorder;
import dev.depthcast.calibration.Y4m;
import dev.depthcast.config.ServerConfig;
import dev.depthcast.ingest.I420Frame;
import dev.depthcast.webrtc.WebRtcEngine;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --record-calibration}: a live session's decoded frames land in a y4m clip the engine builder reads. */
class CalibrationRecordingTest {

    @TempDir
    Path dir;

    @Test
    void aStreamingClientsFramesAreRecordedSpreadInTime() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .recordCalibration(new CalibrationRecorder.Settings(dir, 3, Duration.ofMillis(400)))
                .build();
        WebRtcEngine webrtc = new WebRtcEngine();
        try (DepthcastServer server = DepthcastServer.start(config)) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            List<DepthcastClient.Result> results = new CopyOnWriteArrayList<>();
            try (DepthcastClient client =
                    DepthcastClient.connect(webrtc, base, DepthcastClient.Options.of(320, 240, 15), results::add)) {
                EndToEndTest.awaitResults(results, 20, client); // > 1 s of video: room for 3 frames 400 ms apart
            }
        } finally {
            webrtc.close();
        }
        List<Path> clips;
        try (Stream<Path> s = Files.list(dir)) {
            clips = s.toList();
        }
        assertEquals(1, clips.size(), clips.toString());
        assertTrue(clips.get(0).getFileName().toString().endsWith("_320x240.y4m"), clips.toString());
        List<I420Frame> frames = Y4m.read(clips.get(0));
        assertEquals(3, frames.size(), "capped at the frames asked for");
        assertTrue(frames.get(0).seq() >= 0 && frames.get(0).width() == 320);
    }
}
