package dev.depthcast.bench;

import dev.depthcast.groundtruth.Clip;
import dev.depthcast.groundtruth.PinholeCamera;
import dev.depthcast.groundtruth.RoomScene;
import dev.depthcast.process.DepthMapping;
import dev.depthcast.process.PointCloud;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.process.Unprojector;
import dev.depthcast.webrtc.DenseVideoTrack;
import dev.depthcast.webrtc.Negotiation;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.depthcast.wire.DenseDepthCode;
import dev.depthcast.wire.DenseFrame;
import dev.depthcast.wire.DenseFramePacker;
import dev.depthcast.wire.DenseFrameReader;
import dev.depthcast.wire.DenseLayout;
import dev.depthcast.wire.DenseTag;
import dev.depthcast.wire.PointCloudMessage;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Depth error of the dense frame format after a real lossy encode: the ground-truth room (moving
 * ball) unprojected at stride 1 as the server does, packed, sent through libwebrtc's own encoder
 * and decoder (two peer connections in this process, the sender capped at a bitrate as a link
 * would), read back and compared cell by cell with the depth that was packed. For each of two
 * depth codes — log depth (the format's) and linear in inverse depth — and each cap: median and
 * 90th percentile relative error away from edges (cells whose 3×3 neighbourhood is valid and
 * within 5 % of them), cells lost or gained, how many more cells the page's edge test drops,
 * frames through, received bitrate, the process CPU per frame left when the bench's own Java
 * work (scene, unprojection, packing, copying into the track) is taken off — libwebrtc's encode
 * and decode together, an upper bound of the server's encoding cost — and the packing's median.
 *
 * <p>{@code java -cp depthcast-loadtest.jar dev.depthcast.bench.DenseCodingBench [seconds] [kbps,...]}
 */
public final class DenseCodingBench {

    static final int GRID_W = 504;
    static final int GRID_H = 378;
    static final int FPS = 30;
    /** The bench's own Java work is timed on its thread's CPU clock (wall time would count preemption). */
    static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    enum Code {
        LOG,
        INVERSE
    }

    record Source(float[] z, float near, float far) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int[] caps = args.length > 1
                ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {8000, 4000, 2000};
        String which = args.length > 2 ? args[2] : "room";
        RoomScene scene = new RoomScene(new PinholeCamera(60, 640, 480), 90);
        Clip clip = Clip.render(scene, FPS);
        DepthSource source = which.equals("relief") ? relief() : room(scene);
        System.out.println("scene: " + which);
        System.out.printf(
                "%-8s %6s %8s %8s %7s %7s %8s %8s %8s %9s %7s %s%n",
                "code",
                "kbps",
                "median%",
                "p90%",
                "lost%",
                "gained%",
                "edge+%",
                "frames",
                "rxKbps",
                "codecMs/f",
                "packMs",
                "encoder");
        try (WebRtcEngine engine = new WebRtcEngine()) {
            for (int cap : caps) {
                for (Code code : Code.values()) {
                    run(engine, clip, source, code, cap, seconds);
                }
            }
        }
        System.exit(0);
    }

    /** Frame {@code k}'s depth grid and the mapping (with the range a session would report). */
    interface DepthSource {
        float[] depth(long k);

        int width();

        int height();

        DepthMapping mapping();
    }

    /**
     * The ground-truth room with its ball, reported over 0.4–5 m as a relative model's stabilised
     * session reports its configured range (a metric frame's own extent would make the code's steps
     * finer than any session gets).
     */
    static DepthSource room(RoomScene scene) {
        DepthMapping mapping = new DepthMapping() {
            @Override
            public float metres(float value) {
                return DepthMapping.METRIC.metres(value);
            }

            @Override
            public Range range(float zmin, float zmax, UnprojectParams params) {
                return new Range(Math.min(0.4f, zmin), Math.max(5f, zmax));
            }
        };
        return new DepthSource() {
            final float[] z = new float[GRID_W * GRID_H];

            public float[] depth(long k) {
                scene.depthGrid(GRID_W, GRID_H, k, z, 0);
                return z;
            }

            public int width() {
                return GRID_W;
            }

            public int height() {
                return GRID_H;
            }

            public DepthMapping mapping() {
                return mapping;
            }
        };
    }

    /**
     * docs/wire-golden's scene message (the relief model on the client's textured synthetic camera,
     * sensor noise and all), its stride-3 grid panned a cell a frame so the codec sees motion,
     * its depth reported over the frame's own extent as a metric model's would be.
     */
    static DepthSource relief() throws Exception {
        Path golden = Path.of("docs/wire-golden/scene.v2.msgpack");
        PointCloudMessage m;
        try (dev.depthcast.wire.MessageDecoder d = new dev.depthcast.wire.MessageDecoder()) {
            m = d.decode(Files.readAllBytes(golden));
        }
        var k = m.grid().intrinsics();
        int stride = m.grid().stride();
        int w = (m.grid().width() + stride - 1) / stride;
        int h = (m.grid().height() + stride - 1) / stride;
        float[] base = new float[w * h];
        Arrays.fill(base, Float.NaN);
        float[] xyz = m.points().xyz();
        for (int p = 0; p < m.points().count(); p++) {
            double d = -xyz[p * 3 + 2];
            int i = (int) Math.round((xyz[p * 3] / d * k.fx() + k.cx() - 0.5) / stride);
            int j = (int) Math.round((-xyz[p * 3 + 1] / d * k.fy() + k.cy() - 0.5) / stride);
            base[j * w + i] = (float) d;
        }
        return new DepthSource() {
            final float[] z = new float[w * h];

            public float[] depth(long f) {
                int shift = (int) (f % w);
                for (int j = 0; j < h; j++) {
                    for (int i = 0; i < w; i++) {
                        z[j * w + i] = base[j * w + (i + shift) % w];
                    }
                }
                return z;
            }

            public int width() {
                return w;
            }

            public int height() {
                return h;
            }

            public DepthMapping mapping() {
                return DepthMapping.METRIC;
            }
        };
    }

    static void run(WebRtcEngine engine, Clip clip, DepthSource scene, Code code, int capKbps, int seconds)
            throws Exception {
        Map<Integer, Source> sent = new ConcurrentHashMap<>();
        long[] errors = new long[HISTOGRAM_BINS];
        long[] counts = new long[6]; // frames, compared cells, lost, gained, extra edge drops, source valid
        CompletableFuture<Void> gathered1 = new CompletableFuture<>();
        CompletableFuture<Void> gathered2 = new CompletableFuture<>();
        RTCPeerConnection receiver = engine.factory()
                .createPeerConnection(
                        new RTCConfiguration(),
                        new Observer(
                                gathered2,
                                frame -> compare(frame, sent, code, errors, counts, scene.width(), scene.height())));
        RTCPeerConnection sender =
                engine.factory().createPeerConnection(new RTCConfiguration(), new Observer(gathered1, null));
        DenseVideoTrack track = new DenseVideoTrack(engine.factory(), "dense");
        RTCRtpSender rtpSender = sender.addTrack(track.track(), List.of("dense"));
        RTCSessionDescription offer = Negotiation.createOffer(sender).get(5, TimeUnit.SECONDS);
        Negotiation.setLocal(sender, offer).get(5, TimeUnit.SECONDS);
        gathered1.get(5, TimeUnit.SECONDS);
        Negotiation.setRemote(receiver, new RTCSessionDescription(RTCSdpType.OFFER, sender.getLocalDescription().sdp))
                .get(5, TimeUnit.SECONDS);
        RTCSessionDescription answer = Negotiation.createAnswer(receiver).get(5, TimeUnit.SECONDS);
        Negotiation.setLocal(receiver, answer).get(5, TimeUnit.SECONDS);
        gathered2.get(5, TimeUnit.SECONDS);
        Negotiation.setRemote(sender, new RTCSessionDescription(RTCSdpType.ANSWER, receiver.getLocalDescription().sdp))
                .get(5, TimeUnit.SECONDS);
        RTCRtpSendParameters p = rtpSender.getParameters();
        for (RTCRtpEncodingParameters e : p.encodings) {
            e.maxBitrate = capKbps * 1000;
        }
        rtpSender.setParameters(p);

        Unprojector unprojector = new Unprojector();
        DenseFramePacker packer = new DenseFramePacker();
        UnprojectParams params = UnprojectParams.DEFAULT.withStride(1);
        long cpu0 = cpuNanos();
        long start = System.nanoTime();
        int frames = seconds * FPS;
        long[] packNanos = new long[frames];
        long javaNanos = 0;
        for (int k = 0; k < frames; k++) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            float[] depth = scene.depth(k);
            PointCloud cloud = unprojector.unproject(
                    depth,
                    0,
                    scene.width(),
                    scene.height(),
                    clip.frame(k % clip.frameCount()),
                    params,
                    scene.mapping());
            PointCloudMessage m = new PointCloudMessage(
                    2,
                    new PointCloudMessage.Origin(k, k, 0, 0, -1),
                    PointCloudMessage.Grid.of(cloud),
                    PointCloudMessage.Points.of(cloud),
                    new PointCloudMessage.Timing(0, 0, 0, 0, 0, 0),
                    new PointCloudMessage.Serving("truth", "bench", 1, 0, 0));
            long t1 = System.nanoTime();
            DenseFrame frame = packer.pack(m);
            packNanos[k] = System.nanoTime() - t1;
            DenseLayout l = frame.layout();
            float[] z = DenseFrameReader.depth(l, frame.y(), l.width(), cloud.near(), cloud.far());
            float[] truth = new float[z.length];
            // The server's own depth of each cell (NaN: no point), before coding.
            Arrays.fill(truth, Float.NaN);
            float[] xyz = cloud.xyz();
            for (int n = 0, c = 0; c < z.length; c++) {
                if (!Float.isNaN(z[c])) {
                    truth[c] = -xyz[n++ * 3 + 2];
                }
            }
            if (code == Code.INVERSE) {
                for (int j = 0; j < l.rows(); j++) {
                    for (int i = 0; i < l.columns(); i++) {
                        frame.y()[j * l.width() + l.depthX() + i] =
                                (byte) inverseLuma(truth[j * l.columns() + i], cloud.near(), cloud.far());
                    }
                }
            }
            sent.put(k & 0xFFFF, new Source(truth, cloud.near(), cloud.far()));
            sent.remove((k - 90) & 0xFFFF);
            track.push(frame, System.nanoTime());
            javaNanos += THREADS.getCurrentThreadCpuTime() - t0;
            long next = start + (k + 1) * 1_000_000_000L / FPS;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        Thread.sleep(300);
        long cpu = cpuNanos() - cpu0 - javaNanos;
        Arrays.sort(packNanos);
        double elapsed = (System.nanoTime() - start) / 1e9;
        Map<String, Object> in = stats(receiver, RTCStatsType.INBOUND_RTP);
        Map<String, Object> out = stats(sender, RTCStatsType.OUTBOUND_RTP);
        double rxKbps = ((Number) in.getOrDefault("bytesReceived", 0)).doubleValue() * 8 / elapsed / 1000;
        long[] rel;
        synchronized (errors) {
            rel = errors.clone();
        }
        synchronized (counts) {
            System.out.printf(
                    "%-8s %6d %8.3f %8.3f %7.3f %7.3f %8.3f %5d/%-4d %6.0f %9.2f %7.2f %s%n",
                    code,
                    capKbps,
                    100 * percentile(rel, 0.5),
                    100 * percentile(rel, 0.9),
                    100.0 * counts[2] / Math.max(1, counts[5]),
                    100.0 * counts[3] / Math.max(1, counts[5]),
                    100.0 * counts[4] / Math.max(1, counts[5]),
                    counts[0],
                    frames,
                    rxKbps,
                    cpu / 1e6 / frames,
                    packNanos[frames / 2] / 1e6,
                    out.getOrDefault("encoderImplementation", "?") + " " + out.getOrDefault("frameWidth", "?") + "x"
                            + out.getOrDefault("frameHeight", "?"));
        }
        track.close();
        sender.close();
        receiver.close();
    }

    static int inverseLuma(float z, float near, float far) {
        if (!(z > 0)) {
            return DenseDepthCode.INVALID;
        }
        double t = (1 / near - 1 / (double) z) / (1 / near - 1 / (double) far);
        long l = Math.round(DenseDepthCode.NEAR + (DenseDepthCode.FAR - DenseDepthCode.NEAR) * t);
        return (int) Math.max(DenseDepthCode.NEAR, Math.min(DenseDepthCode.FAR, l));
    }

    static float inverseMetres(int luma, float near, float far) {
        if (luma < DenseDepthCode.VALID_FROM) {
            return Float.NaN;
        }
        double t = (luma - DenseDepthCode.NEAR) / (double) (DenseDepthCode.FAR - DenseDepthCode.NEAR);
        return (float) (1 / (1 / (double) near - t * (1 / (double) near - 1 / (double) far)));
    }

    /** One decoded frame against what was packed under its tag. */
    static void compare(
            I420Buffer b, Map<Integer, Source> sent, Code code, long[] errors, long[] counts, int gridW, int gridH) {
        int w = b.getWidth();
        int h = b.getHeight();
        byte[] y = new byte[w * h];
        for (int row = 0; row < h; row++) {
            b.getDataY().get(row * b.getStrideY(), y, row * w, w);
        }
        int tag = DenseTag.read(y, w, w, h - DenseTag.ROWS, DenseTag.ROWS);
        Source s = tag < 0 ? null : sent.get(tag);
        DenseLayout l = DenseLayout.of(gridW, gridH);
        if (s == null || w != l.width() || h != l.height()) {
            return;
        }
        float[] z = new float[s.z().length];
        for (int j = 0; j < l.rows(); j++) {
            for (int i = 0; i < l.columns(); i++) {
                int luma = y[j * w + l.depthX() + i] & 0xFF;
                z[j * l.columns() + i] = code == Code.LOG
                        ? DenseDepthCode.metres(luma, s.near(), s.far())
                        : inverseMetres(luma, s.near(), s.far());
            }
        }
        long[] mine = new long[HISTOGRAM_BINS];
        long compared = 0;
        long lost = 0;
        long gained = 0;
        long extraEdges = 0;
        long valid = 0;
        int cols = l.columns();
        for (int j = 0; j < l.rows(); j++) {
            for (int i = 0; i < cols; i++) {
                int c = j * cols + i;
                float t = s.z()[c];
                if (Float.isNaN(t)) {
                    gained += Float.isNaN(z[c]) ? 0 : 1;
                    continue;
                }
                valid++;
                if (Float.isNaN(z[c])) {
                    lost++;
                    continue;
                }
                if (edge(z, i, j, cols, l.rows()) && !edge(s.z(), i, j, cols, l.rows())) {
                    extraEdges++;
                }
                if (interior(s.z(), i, j, cols, l.rows())) {
                    mine[bin(Math.abs(z[c] - t) / t)]++;
                    compared++;
                }
            }
        }
        synchronized (errors) {
            for (int k = 0; k < HISTOGRAM_BINS; k++) {
                errors[k] += mine[k];
            }
        }
        synchronized (counts) {
            counts[0]++;
            counts[1] += compared;
            counts[2] += lost;
            counts[3] += gained;
            counts[4] += extraEdges;
            counts[5] += valid;
        }
    }

    /** The page's edge test (dense-frame.js isEdge): a right or lower neighbour more than 10 % away. */
    static boolean edge(float[] z, int i, int j, int w, int h) {
        float d = z[j * w + i];
        return (i + 1 < w && jump(d, z[j * w + i + 1])) || (j + 1 < h && jump(d, z[(j + 1) * w + i]));
    }

    static boolean jump(float d, float n) {
        return !Float.isNaN(n) && Math.abs(n - d) > 0.1f * Math.min(n, d);
    }

    /** Whether every 3×3 neighbour of a cell has a point within 5 % of its depth (no edge near). */
    static boolean interior(float[] z, int i, int j, int w, int h) {
        float d = z[j * w + i];
        for (int dj = -1; dj <= 1; dj++) {
            for (int di = -1; di <= 1; di++) {
                int x = i + di;
                int yy = j + dj;
                if (x < 0 || yy < 0 || x >= w || yy >= h) {
                    return false;
                }
                float n = z[yy * w + x];
                if (Float.isNaN(n) || Math.abs(n - d) > 0.05f * d) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Relative errors in bins of 0.001 % up to 20 % (the last bin holds everything above). */
    static final int HISTOGRAM_BINS = 20_001;

    static int bin(double relativeError) {
        return (int) Math.min(HISTOGRAM_BINS - 1, Math.round(relativeError * 1e5));
    }

    /** The q-quantile of a histogram of {@link #bin}s, as a relative error. */
    static double percentile(long[] histogram, double q) {
        long total = Arrays.stream(histogram).sum();
        if (total == 0) {
            return Double.NaN;
        }
        long seen = 0;
        for (int b = 0; b < histogram.length; b++) {
            seen += histogram[b];
            if (seen > q * total) {
                return b / 1e5;
            }
        }
        return (histogram.length - 1) / 1e5;
    }

    static long cpuNanos() throws Exception {
        String[] f =
                Files.readString(Path.of("/proc/self/stat")).split("\\) ")[1].split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 10_000_000L;
    }

    static Map<String, Object> stats(RTCPeerConnection pc, RTCStatsType type) throws Exception {
        CompletableFuture<Map<String, Object>> out = new CompletableFuture<>();
        pc.getStats(report -> {
            Map<String, Object> found = Map.of();
            for (RTCStats s : report.getStats().values()) {
                if (s.getType() == type) {
                    found = s.getAttributes();
                }
            }
            out.complete(found);
        });
        return out.get(5, TimeUnit.SECONDS);
    }

    interface FrameHandler {
        void frame(I420Buffer buffer);
    }

    static final class Observer implements PeerConnectionObserver {
        final CompletableFuture<Void> gathered;
        final FrameHandler handler;

        Observer(CompletableFuture<Void> gathered, FrameHandler handler) {
            this.gathered = gathered;
            this.handler = handler;
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {}

        @Override
        public void onIceGatheringChange(RTCIceGatheringState s) {
            if (s == RTCIceGatheringState.COMPLETE) {
                gathered.complete(null);
            }
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            if (handler != null && transceiver.getReceiver().getTrack() instanceof VideoTrack video) {
                video.addSink(frame -> {
                    try {
                        handler.frame(frame.buffer.toI420());
                    } finally {
                        frame.release();
                    }
                });
            }
        }
    }
}
