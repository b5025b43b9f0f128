package dev.depthcast.calibration;

import dev.depthcast.ingest.I420Frame;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve.sh --record-calibration DIR}: keeps frames of live sessions for INT8 calibration,
 * spread in time and across clients — at most one frame per client per {@code interval} (frames
 * next to each other are nearly the same and teach the calibrator nothing), until {@code maxFrames}
 * in all — as YUV4MPEG2 clips, one per client and frame size ({@code DIR/CLIENT_WxH.y4m}), which
 * {@code scripts/build-engine.sh --calib-images DIR} reads back through the serving preprocessor.
 *
 * <p>{@link #offer} runs on WebRTC decoder threads and never blocks: a kept frame (frames are
 * immutable once copied) goes to a single writer thread through a short queue; if the disk falls
 * behind, frames are skipped and counted, never queued without bound.
 */
public final class CalibrationRecorder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CalibrationRecorder.class);

    /** What serve.sh asked for. */
    public record Settings(Path dir, int frames, Duration interval) {
        public Settings {
            if (frames < 1) {
                throw new IllegalArgumentException("--record-frames must be at least 1, got " + frames);
            }
        }
    }

    private final Settings settings;
    private final LongSupplier nanos;
    private final Map<String, Long> lastKept = new ConcurrentHashMap<>();
    private final AtomicInteger kept = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final ThreadPoolExecutor writer;
    /** Writer-thread state: an open clip per client and size. */
    private final Map<String, OutputStream> clips = new HashMap<>();

    public CalibrationRecorder(Settings settings, LongSupplier nanos) throws IOException {
        this.settings = settings;
        this.nanos = nanos;
        Files.createDirectories(settings.dir());
        // The pool makes its one thread at the first kept frame, not here.
        this.writer = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(16),
                CalibrationRecorder::writerThread,
                (r, pool) -> skipped.incrementAndGet());
    }

    private static Thread writerThread(Runnable task) {
        Thread t = new Thread(task, "depthcast-calibration-writer");
        t.setDaemon(true);
        return t;
    }

    /** A decoded frame of {@code client}; keeps it when it is time and room is left. Never blocks. */
    public void offer(String client, I420Frame frame) {
        long now = nanos.getAsLong();
        Long last = lastKept.get(client);
        if (last != null && now - last < settings.interval().toNanos()) {
            return;
        }
        if (kept.get() >= settings.frames()) {
            return;
        }
        lastKept.put(client, now);
        int n = kept.incrementAndGet();
        if (n > settings.frames()) {
            return; // another client's frame took the last place
        }
        writer.execute(() -> write(client, frame, n));
    }

    private void write(String client, I420Frame frame, int n) {
        String key = client + "_" + frame.width() + "x" + frame.height();
        try {
            OutputStream out = clips.get(key);
            if (out == null) {
                out = new BufferedOutputStream(
                        Files.newOutputStream(settings.dir().resolve(key + ".y4m")));
                Y4m.writeHeader(out, frame.width(), frame.height(), 30);
                clips.put(key, out);
            }
            Y4m.writeFrame(out, frame);
            if (n == settings.frames()) {
                flushAll();
                LOG.info(
                        "calibration: {} frames recorded in {}: build an INT8 engine with scripts/build-engine.sh "
                                + "--precision int8 --calib-images {}",
                        n,
                        settings.dir(),
                        settings.dir());
            }
        } catch (IOException e) {
            skipped.incrementAndGet();
            LOG.warn("calibration: could not write a frame to {}: {}", settings.dir(), e.getMessage());
        }
    }

    private void flushAll() throws IOException {
        for (OutputStream out : clips.values()) {
            out.flush();
        }
    }

    /** Frames kept so far (written or on their way to disk). */
    public int kept() {
        return Math.min(kept.get(), settings.frames());
    }

    /** Frames the writer could not keep up with or could not write. */
    public int skipped() {
        return skipped.get();
    }

    /** Writes what is queued and closes the clips. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (OutputStream out : clips.values()) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("calibration: closing a clip: {}", e.getMessage());
            }
        }
        clips.clear();
    }
}
