package dev.depthcast.loadtest;

import dev.depthcast.client.DepthcastClient;
import dev.depthcast.ingest.FrameTag;
import dev.depthcast.metrics.WallClock;
import dev.depthcast.wire.PointCloudMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * What one load client saw: when each frame was pushed (its capture timestamp), and for each
 * result the matched source frame and the times that follow from it. Fed by
 * {@link DepthcastClient}'s push listener (pacer thread) and result callback (socket thread), which
 * also hands each result's bytes to the session's recording under {@code --record}.
 */
final class ClientProbe implements Consumer<DepthcastClient.Result>, DepthcastClient.PushListener {

    /**
     * One result as decoded.
     *
     * @param decodedNanos System.nanoTime() when the message had been decoded
     * @param frameIndex the matched source frame, -1 when the message carried no frame tag
     * @param latencyMs capture → decoded, NaN when unmatched
     * @param staleFrames frames pushed after the source frame by the time the result was decoded
     * @param uplinkMs capture → server ingest (wall clocks; one host or synced clocks), NaN if unmatched
     * @param serverMs server ingest → message encoded (sentUs − ingestUs, server clock)
     * @param downlinkMs message encoded → decoded here (wall clocks)
     * @param tsOffsetMs the message's ts (WebRTC receive timestamp) − capture, NaN if unmatched
     */
    record Sample(
            long decodedNanos,
            long seq,
            long frameIndex,
            double latencyMs,
            long staleFrames,
            int bytes,
            int points,
            int batch,
            long dropped,
            double uplinkMs,
            double serverMs,
            double downlinkMs,
            double queueMs,
            double inferenceMs,
            double tsOffsetMs) {

        boolean matched() {
            return frameIndex >= 0;
        }
    }

    final int id;
    private final Clocks clocks;
    /** The session's results stream as a .dcrec file (--record), or null. */
    final ResultsRecording recording;

    private final AtomicLongArray captureNanos = new AtomicLongArray(1 << 16);
    private final AtomicLong newestPushed = new AtomicLong(-1);
    private final List<Long> pushes = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    volatile DepthcastClient client;
    volatile String sessionId;
    volatile long connectedNanos;
    volatile String failure;

    ClientProbe(int id, Clocks clocks, ResultsRecording recording) {
        this.id = id;
        this.clocks = clocks;
        this.recording = recording;
    }

    @Override
    public void pushed(long frameIndex, long timestampNanos) {
        captureNanos.set((int) (frameIndex & 0xFFFF), timestampNanos);
        newestPushed.set(frameIndex);
        synchronized (pushes) {
            pushes.add(timestampNanos);
        }
    }

    @Override
    public void accept(DepthcastClient.Result result) {
        long decoded = System.nanoTime();
        if (recording != null) {
            recording.add(result.raw(), result.arrivedNanos());
        }
        PointCloudMessage m = result.message();
        long newest = newestPushed.get();
        // The server read the frame tag from the source frame's pixels before any model saw them.
        int counter = m.origin().tag();
        long frame = -1;
        double latency = Double.NaN;
        double uplink = Double.NaN;
        double tsOffset = Double.NaN;
        long stale = -1;
        if (counter >= 0 && newest >= 0) {
            long candidate = FrameTag.unwrap(counter, newest);
            long captured = candidate >= 0 ? captureNanos.get(counter) : 0;
            if (captured != 0 && captured <= decoded) {
                frame = candidate;
                latency = (decoded - captured) / 1e6;
                stale = newest - candidate;
                uplink = (m.origin().ingestEpochUs() - clocks.epochMicros(captured)) / 1e3;
                tsOffset = (m.origin().timestampUs() * 1000 - captured) / 1e6;
            }
        }
        double server = (m.origin().sentEpochUs() - m.origin().ingestEpochUs()) / 1e3;
        double downlink = (clocks.epochMicros(decoded) - m.origin().sentEpochUs()) / 1e3;
        Sample s = new Sample(
                decoded,
                m.origin().seq(),
                frame,
                latency,
                stale,
                result.bytes(),
                m.points().count(),
                m.serving().batch(),
                m.serving().dropped(),
                uplink,
                server,
                downlink,
                m.timing().queue(),
                m.timing().inference(),
                tsOffset);
        synchronized (samples) {
            samples.add(s);
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    /** Samples from position {@code from} on (for the progress line). */
    List<Sample> samplesFrom(int from) {
        synchronized (samples) {
            return new ArrayList<>(samples.subList(Math.min(from, samples.size()), samples.size()));
        }
    }

    int sampleCount() {
        synchronized (samples) {
            return samples.size();
        }
    }

    List<Long> pushes() {
        synchronized (pushes) {
            return new ArrayList<>(pushes);
        }
    }

    long framesPushed() {
        return newestPushed.get() + 1;
    }

    /** Maps System.nanoTime() onto the wall clock (Unix µs), as the server stamps ingestUs/sentUs. */
    static final class Clocks {
        private final long offsetMicros;

        Clocks() {
            // The pair read with the least time between its two reads.
            long best = Long.MAX_VALUE;
            long offset = 0;
            for (int i = 0; i < 50; i++) {
                long a = System.nanoTime();
                long now = WallClock.epochMicros();
                long b = System.nanoTime();
                if (b - a < best) {
                    best = b - a;
                    offset = now - (a + b) / 2 / 1000;
                }
            }
            this.offsetMicros = offset;
        }

        long epochMicros(long nanoTime) {
            return nanoTime / 1000 + offsetMicros;
        }
    }
}
