package dev.depthcast.delivery;

import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.process.UnprojectParams;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One client's link: its ack window (what it has been sent and not yet acknowledged), its link
 * adaptation (the stride its next frame is sampled at) and what it has been delivered (for
 * {@code /metrics} and {@code /api/stats}). The sink writes and reads acks on the socket's event
 * loop; the delivery stage asks for the level of a result on the fan-out thread; the executor
 * asks for the stride of the next frame on its own.
 */
public final class ClientLink implements AutoCloseable {

    /** Results a client may hold unacknowledged: one arriving while the next is on its way. */
    public static final int WINDOW = 2;
    /** An ack this late frees the result's place anyway (a client that stopped acking). */
    static final long ACK_TIMEOUT_NANOS = 2_000_000_000L;

    static final long RATE_WINDOW_NANOS = 2_000_000_000L;

    private final AckWindow window;
    private final LinkAdapter adapter;
    private final PipelineMetrics.ClientMeters meters;
    private final ArrayDeque<long[]> delivered = new ArrayDeque<>();
    private final long createdNanos = System.nanoTime();
    private volatile boolean acking;
    private volatile int outstanding;
    private volatile long lastRttNanos = -1;
    private volatile long ackTimeouts;
    private boolean adapts = true;

    /**
     * @param ladder the strides this client may be sampled at (level 0 = {@code --stride})
     * @param metrics where its per-client meters go, tagged {@code session=label}; null for none
     */
    public ClientLink(StrideLadder ladder, PipelineMetrics metrics, String label) {
        this(ladder, metrics, label, WINDOW);
    }

    ClientLink(StrideLadder ladder, PipelineMetrics metrics, String label, int windowSize) {
        this.window = new AckWindow(windowSize, ACK_TIMEOUT_NANOS);
        this.adapter = new LinkAdapter(ladder, System.nanoTime());
        this.meters = metrics == null ? null : metrics.client(label, adapter::level);
    }

    /** A link that never changes the sampling and has no meters (tests, embedding). */
    public static ClientLink fixed() {
        ClientLink link = new ClientLink(new StrideLadder(new int[] {1}), null, "");
        link.adapts = false;
        return link;
    }

    /** The settings for this client's next frame: {@code base} at the link's current stride. */
    public UnprojectParams params(UnprojectParams base) {
        return adapts ? base.withStride(adapter.stride()) : base;
    }

    /** The level a result sampled at {@code stride} is at (for the message's {@code level}). */
    public int levelOf(int stride) {
        return adapts ? adapter.ladder().levelOf(stride) : 0;
    }

    public int level() {
        return adapter.level();
    }

    public int stride() {
        return adapter.stride();
    }

    /** A result was made for this client (fan-out thread); adaptation runs once the client acks. */
    void produced(long now) {
        adapter.produced(now);
        if (acking) {
            adapter.evaluate(now);
        }
    }

    void superseded(long now) {
        adapter.superseded(now);
    }

    /** Event loop: may a result be written now? */
    boolean hasRoom(long now) {
        boolean room = window.hasRoom(now);
        outstanding = window.outstanding();
        ackTimeouts = window.timeouts();
        return room;
    }

    /** Event loop: a result was written. */
    void sent(long seq, int bytes, int level, long now) {
        window.sent(new AckWindow.Sent(seq, bytes, level, now));
        outstanding = window.outstanding();
    }

    /** Event loop: the client acknowledged {@code seq} (negative: the oldest outstanding result). */
    void ack(long seq, long now) {
        AckWindow.Acked a = window.ack(seq, now);
        acking = true;
        outstanding = window.outstanding();
        if (a == null) {
            return;
        }
        lastRttNanos = a.rttNanos();
        adapter.delivered(now, a.rttNanos(), a.sent().bytes(), a.sent().level());
        if (meters != null) {
            meters.delivered(a.sent().bytes(), a.rttNanos());
        }
        synchronized (delivered) {
            delivered.addLast(new long[] {now, a.sent().bytes()});
            while (delivered.peekFirst()[0] < now - RATE_WINDOW_NANOS) {
                delivered.removeFirst();
            }
        }
    }

    /** What {@code /api/stats} shows for this client. */
    public Map<String, Object> summary() {
        long now = System.nanoTime();
        long results = 0;
        long bytes = 0;
        synchronized (delivered) {
            for (long[] d : delivered) {
                if (d[0] >= now - RATE_WINDOW_NANOS) {
                    results++;
                    bytes += d[1];
                }
            }
        }
        double seconds = Math.min(RATE_WINDOW_NANOS, Math.max(1, now - createdNanos)) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deliveredPerSec", round(results / seconds));
        m.put("bytesPerSec", Math.round(bytes / seconds));
        double[] rtt = meters == null ? new double[] {Double.NaN, Double.NaN} : meters.ackRttMs();
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("p50", finiteOrNull(rtt[0]));
        ack.put("p95", finiteOrNull(rtt[1]));
        ack.put("last", lastRttNanos < 0 ? null : round(lastRttNanos / 1e6));
        m.put("ackRttMs", ack);
        m.put("acking", acking);
        m.put("unacked", outstanding);
        m.put("window", window.size());
        m.put("ackTimeouts", ackTimeouts);
        m.put("level", adapter.level());
        m.put("stride", adapter.stride());
        m.put("levelSteps", adapter.steps());
        return m;
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    LinkAdapter adapter() {
        return adapter;
    }

    @Override
    public void close() {
        if (meters != null) {
            meters.close();
        }
    }
}
