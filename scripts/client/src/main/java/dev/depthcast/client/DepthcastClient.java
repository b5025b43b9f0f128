package dev.depthcast.client;

import dev.depthcast.webrtc.Negotiation;
import dev.depthcast.webrtc.WebRtcEngine;
import dev.depthcast.wire.MessageDecoder;
import dev.depthcast.wire.PointCloudMessage;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A camera-less depthcast client over the real protocol (docs/protocol.md): sends synthetic video
 * with webrtc-java, receives point clouds on the results WebSocket. Used by the end-to-end tests
 * and the load tester — the same code path a browser takes, minus the browser.
 */
public final class DepthcastClient implements AutoCloseable {

    /**
     * How the client streams.
     *
     * @param hfovDegrees the camera's horizontal field of view sent in the offer ({@code hfov}, docs/protocol.md),
     *     or null to leave it to the server's {@code --fov}
     */
    public record Options(
            int width,
            int height,
            double fps,
            boolean trickle,
            int maxBitrate,
            FramePainter painter,
            String token,
            Double hfovDegrees,
            DenseFrameListener dense) {

        /** Without a token (a server without --auth-token/--auth-file), a field of view or dense frames. */
        public Options(int width, int height, double fps, boolean trickle, int maxBitrate, FramePainter painter) {
            this(width, height, fps, trickle, maxBitrate, painter, null, null, null);
        }

        public static Options of(int width, int height, double fps) {
            return new Options(width, height, fps, true, 4_000_000, FramePainter.movingDisc());
        }

        public Options withTrickle(boolean t) {
            return new Options(width, height, fps, t, maxBitrate, painter, token, hfovDegrees, dense);
        }

        public Options withPainter(FramePainter p) {
            return new Options(width, height, fps, trickle, maxBitrate, p, token, hfovDegrees, dense);
        }

        /**
         * Asks for the dense video track (a receive-only video transceiver in the offer, as the page
         * does) and tells {@code listener} of every frame it delivers.
         */
        public Options withDense(DenseFrameListener listener) {
            return new Options(width, height, fps, trickle, maxBitrate, painter, token, hfovDegrees, listener);
        }

        /**
         * The server's bearer token (docs/security.md): sent as {@code Authorization: Bearer T} on
         * every API request and as {@code ?token=T} on the results WebSocket, as the page does.
         */
        public Options withToken(String t) {
            return new Options(width, height, fps, trickle, maxBitrate, painter, t, hfovDegrees, dense);
        }

        /**
         * The camera's horizontal field of view, degrees, sent as the offer's {@code hfov}: the server unprojects
         * this session with it instead of its {@code --fov}. The server checks the range (a 400 says it).
         */
        public Options withHfov(double degrees) {
            return new Options(width, height, fps, trickle, maxBitrate, painter, token, degrees, dense);
        }
    }

    /**
     * A received result: the decoded message, its bytes exactly as they came off the socket (for a
     * recording), and when it arrived (System.nanoTime).
     */
    public record Result(PointCloudMessage message, byte[] raw, long arrivedNanos) {
        /** The message's size on the wire. */
        public int bytes() {
            return raw.length;
        }
    }

    /**
     * Told of every frame just before it is pushed into the encoder, on the pacer thread: its index
     * (the one the painter got) and the {@link VideoFrame} timestamp it carried (System.nanoTime(),
     * i.e. its capture time). Must be quick. For load tests that match results to source frames.
     */
    @FunctionalInterface
    public interface PushListener {
        void pushed(long frameIndex, long timestampNanos);
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final Options options;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final RTCPeerConnection pc;
    private final CustomVideoSource source = new CustomVideoSource();
    private final VideoTrack track;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final ScheduledExecutorService pacer;
    private final AtomicLong framesPushed = new AtomicLong();
    private final Consumer<Result> onResult;
    private final PushListener onPush;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile String sessionId;
    private volatile WebSocket socket;
    private volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;
    private volatile String lastError;
    private volatile JsonObject answer = new JsonObject();
    private volatile dev.onvoid.webrtc.media.video.VideoTrackSink denseSink;
    private final CompletableFuture<Closed> resultsClosed = new CompletableFuture<>();

    /** How the server closed the results socket: code and reason (docs/protocol.md: 1000, 1011, 4000, 4001). */
    public record Closed(int code, String reason) {}
    /** Used on the socket's listener thread only. */
    private final MessageDecoder decoder = new MessageDecoder();
    /** Acks go out one after another: the JDK socket refuses a send while the previous one is pending. */
    private CompletableFuture<?> acks = CompletableFuture.completedFuture(null);

    private final WholeMessages listener = new WholeMessages(
            this::onResultBytes,
            this::onTextMessage,
            (code, reason) -> resultsClosed.complete(new Closed(code, reason)));

    private DepthcastClient(
            WebRtcEngine engine, URI base, Options options, Consumer<Result> onResult, PushListener onPush) {
        this.base = base;
        this.options = options;
        this.onResult = onResult;
        this.onPush = onPush;
        this.pc = engine.factory().createPeerConnection(new RTCConfiguration(), new Observer());
        this.track = engine.factory().createVideoTrack("camera", source);
        this.pacer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "depthcast-client-pacer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Negotiates a session, opens the results socket and starts streaming.
     *
     * @throws RefusedException when the server answers with an error status (e.g. 503 when full)
     */
    public static DepthcastClient connect(WebRtcEngine engine, URI base, Options options, Consumer<Result> onResult)
            throws Exception {
        return connect(engine, base, options, onResult, (index, timestampNanos) -> {});
    }

    /** As {@link #connect(WebRtcEngine, URI, Options, Consumer)}, also telling {@code onPush} of every frame sent. */
    public static DepthcastClient connect(
            WebRtcEngine engine, URI base, Options options, Consumer<Result> onResult, PushListener onPush)
            throws Exception {
        DepthcastClient c = new DepthcastClient(engine, base, options, onResult, onPush);
        try {
            c.negotiate();
            return c;
        } catch (Exception e) {
            c.close();
            throw e;
        }
    }

    private void negotiate() throws Exception {
        RTCRtpSender sender = pc.addTrack(track, List.of("depthcast"));
        if (options.dense() != null) {
            // A receive-only video m-line: where the server answers with its dense track. webrtc-java
            // makes a transceiver only from a track; this one is never sent.
            dev.onvoid.webrtc.RTCRtpTransceiverInit init = new dev.onvoid.webrtc.RTCRtpTransceiverInit();
            init.direction = dev.onvoid.webrtc.RTCRtpTransceiverDirection.RECV_ONLY;
            pc.addTransceiver(track, init);
        }
        long t = TIMEOUT.toSeconds();
        RTCSessionDescription local = Negotiation.createOffer(pc).get(t, TimeUnit.SECONDS);
        Negotiation.setLocal(pc, local).get(t, TimeUnit.SECONDS);
        String sdp = local.sdp;
        if (!options.trickle()) {
            gathered.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            sdp = pc.getLocalDescription().sdp;
        }
        JsonObject offer = new JsonObject().put("type", "offer").put("sdp", sdp).put("trickle", options.trickle());
        if (options.hfovDegrees() != null) {
            offer.put("hfov", options.hfovDegrees());
        }
        JsonObject answer = post("/api/sessions", offer);
        this.answer = answer;
        sessionId = answer.getString("id");
        Negotiation.setRemote(pc, new RTCSessionDescription(RTCSdpType.ANSWER, answer.getString("sdp")))
                .get(t, TimeUnit.SECONDS);
        if (options.trickle()) {
            exchangeCandidates();
        }
        raiseBitrate(sender);
        openResults();
        long periodNanos = (long) (1e9 / options.fps());
        pacer.scheduleAtFixedRate(this::pushFrame, 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Sends ours once gathering is done, adds the server's until it says complete. */
    private void exchangeCandidates() throws Exception {
        gathered.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonArray mine = new JsonArray();
        for (String line : pc.getLocalDescription().sdp.split("\r?\n")) {
            if (line.startsWith("a=candidate:")) {
                mine.add(new JsonObject()
                        .put("candidate", line.substring(2))
                        .put("sdpMid", "0")
                        .put("sdpMLineIndex", 0));
            }
        }
        mine.add(new JsonObject().put("candidate", "").put("sdpMid", "0").put("sdpMLineIndex", 0));
        // The server takes at most 32 candidates a request (docs/security.md); a host with many
        // interfaces (network namespaces, veths) gathers more: send them in chunks.
        for (int from = 0; from < mine.size(); from += 32) {
            JsonArray chunk = new JsonArray(mine.getList().subList(from, Math.min(mine.size(), from + 32)));
            post("/api/sessions/" + sessionId + "/candidates", new JsonObject().put("candidates", chunk));
        }
        Set<String> added = new HashSet<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject got = get("/api/sessions/" + sessionId + "/candidates");
            JsonArray list = got.getJsonArray("candidates");
            for (int i = 0; i < list.size(); i++) {
                JsonObject c = list.getJsonObject(i);
                if (added.add(c.getString("candidate"))) {
                    pc.addIceCandidate(new RTCIceCandidate(
                            c.getString("sdpMid"), c.getInteger("sdpMLineIndex"), c.getString("candidate")));
                }
            }
            if (got.getBoolean("complete")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("server ICE gathering did not complete within " + TIMEOUT.toSeconds() + " s");
    }

    /** The default encoder cap (~1.7 Mbps at 640x480) held a 30 fps pattern to 22-25 fps; 4 Mbps gives 30. */
    private void raiseBitrate(RTCRtpSender sender) {
        RTCRtpSendParameters p = sender.getParameters();
        if (p.encodings != null) {
            for (RTCRtpEncodingParameters e : p.encodings) {
                e.maxBitrate = options.maxBitrate();
            }
            sender.setParameters(p);
        }
    }

    private void openResults() throws Exception {
        // The token rides in the query: the server takes it there because browsers cannot set
        // headers on a WebSocket (and never logs query strings).
        String query = options.token() == null
                ? ""
                : "?token=" + java.net.URLEncoder.encode(options.token(), java.nio.charset.StandardCharsets.UTF_8);
        URI ws = URI.create(
                base.toString().replaceFirst("^http", "ws") + "/api/sessions/" + sessionId + "/results" + query);
        socket = http.newWebSocketBuilder()
                .connectTimeout(TIMEOUT)
                .buildAsync(ws, listener)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private void pushFrame() {
        NativeI420Buffer buffer = NativeI420Buffer.allocate(options.width(), options.height());
        try {
            options.painter()
                    .paint(
                            framesPushed.get(),
                            options.width(),
                            options.height(),
                            buffer.getDataY(),
                            buffer.getStrideY(),
                            buffer.getDataU(),
                            buffer.getStrideU(),
                            buffer.getDataV(),
                            buffer.getStrideV());
            long index = framesPushed.get();
            long timestampNanos = System.nanoTime();
            VideoFrame frame = new VideoFrame(buffer, timestampNanos);
            // Told before the push, so a listener has the stamp before any result can come back.
            onPush.pushed(index, timestampNanos);
            source.pushFrame(frame);
            framesPushed.incrementAndGet();
        } catch (RuntimeException e) {
            lastError = "pushing a frame failed: " + e;
        } finally {
            buffer.release();
        }
    }

    public String sessionId() {
        return sessionId;
    }

    /**
     * Whether the server answered with its dense track ({@code dense} in the answer), and if it
     * did not though asked, why ({@code denseReason}); null when the offer did not ask.
     */
    public Boolean denseAnswered() {
        return answer.getBoolean("dense");
    }

    public String denseReason() {
        return answer.getString("denseReason");
    }

    /** Tells the server to send points over the results socket (false) or the dense track (true). */
    public void switchDense(boolean on) {
        WebSocket ws = listener.socket();
        if (ws != null) {
            acks = acks.handle((v, e) -> null)
                    .thenCompose(v -> ws.sendText("{\"type\":\"dense\",\"on\":" + on + "}", true));
        }
    }

    public long framesPushed() {
        return framesPushed.get();
    }

    public RTCPeerConnectionState state() {
        return state;
    }

    /**
     * Completes when the server closes the results socket, with its code: 4001 means the node is
     * draining and the client should start a new session at once (through the load balancer).
     */
    public CompletableFuture<Closed> resultsClosed() {
        return resultsClosed;
    }

    /** Last error the server sent on the socket (or a local one), or null. */
    public String lastError() {
        return lastError;
    }

    /**
     * The sender's outbound video RTP statistics (libwebrtc's {@code outbound-rtp} entry: e.g.
     * frameWidth, frameHeight, framesEncoded, qualityLimitationReason, totalEncodeTime), or an
     * empty map when there is none yet. Tells whether the encoder adapted the stream down
     * (resolution or frame rate) because the CPU or the bandwidth could not keep up.
     */
    public CompletableFuture<java.util.Map<String, Object>> senderStats() {
        CompletableFuture<java.util.Map<String, Object>> out = new CompletableFuture<>();
        try {
            pc.getStats(report -> {
                java.util.Map<String, Object> found = java.util.Map.of();
                for (dev.onvoid.webrtc.RTCStats s : report.getStats().values()) {
                    if (s.getType() == dev.onvoid.webrtc.RTCStatsType.OUTBOUND_RTP
                            && "video".equals(String.valueOf(s.getAttributes().get("kind")))) {
                        found = s.getAttributes();
                    }
                }
                out.complete(found);
            });
        } catch (RuntimeException e) {
            out.completeExceptionally(e);
        }
        return out;
    }

    /** Waits until the peer connection is up. */
    public void awaitConnected(Duration timeout) throws Exception {
        connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops sending frames; the session stays open. */
    public void stopStreaming() {
        pacer.shutdownNow();
    }

    /** Idempotent: a second call does nothing (closing the native peer connection twice would throw). */
    @Override
    public void close() {
        shutDown(true);
    }

    /**
     * Drops everything without telling the server, as a crashed browser or a lost network would:
     * for testing that the server notices and frees the session by itself.
     */
    public void vanish() {
        shutDown(false);
    }

    private void shutDown(boolean sayGoodbye) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pacer.shutdownNow();
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        String id = sessionId;
        if (id != null && sayGoodbye) {
            try {
                http.send(
                        authorized(HttpRequest.newBuilder(base.resolve("/api/sessions/" + id)))
                                .timeout(TIMEOUT)
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (IOException | InterruptedException e) {
                // the server may already be gone; nothing to undo here
            }
        }
        // The closed connection's sender still references the track, so the track is left to
        // the factory (disposing it here throws "Native object was not deleted").
        pc.close();
        source.dispose();
    }

    private JsonObject post(String path, JsonObject body) throws IOException, InterruptedException {
        return send(authorized(HttpRequest.newBuilder(base.resolve(path)))
                .timeout(TIMEOUT)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build());
    }

    private JsonObject get(String path) throws IOException, InterruptedException {
        return send(authorized(HttpRequest.newBuilder(base.resolve(path)))
                .timeout(TIMEOUT)
                .GET()
                .build());
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return options.token() == null ? b : b.header("authorization", "Bearer " + options.token());
    }

    private JsonObject send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 400) {
            String error;
            try {
                error = new JsonObject(r.body()).getString("error");
            } catch (RuntimeException e) {
                error = r.body();
            }
            throw new RefusedException(r.statusCode(), error);
        }
        return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
    }

    private final class Observer implements PeerConnectionObserver {

        @Override
        public void onTrack(dev.onvoid.webrtc.RTCRtpTransceiver transceiver) {
            DenseFrameListener listener = options.dense();
            if (listener != null
                    && denseSink == null
                    && transceiver.getReceiver().getTrack() instanceof VideoTrack video) {
                dev.onvoid.webrtc.media.video.VideoTrackSink sink = frame -> {
                    try {
                        listener.received(copyDense(frame));
                    } finally {
                        frame.release();
                    }
                };
                denseSink = sink;
                video.addSink(sink);
            }
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            // Sent in one request once gathering completes (see exchangeCandidates).
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState s) {
            if (s == RTCIceGatheringState.COMPLETE) {
                gathered.complete(null);
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState s) {
            state = s;
            if (s == RTCPeerConnectionState.CONNECTED) {
                connected.complete(null);
            } else if (s == RTCPeerConnectionState.FAILED) {
                connected.completeExceptionally(new IOException("peer connection failed"));
            }
        }
    }

    /**
     * Decodes a result (either schema), hands it over, then acks it (docs/protocol.md, "Acks"): the
     * server sends the next result only when this client has room, so the ack follows the work.
     */
    private void onResultBytes(byte[] whole) {
        long arrived = System.nanoTime();
        long seq = -1;
        try {
            PointCloudMessage m = decoder.decode(whole);
            seq = m.origin().seq();
            onResult.accept(new Result(m, whole, arrived));
        } catch (IOException | RuntimeException e) {
            lastError = "undecodable result: " + e.getMessage();
        } finally {
            ack(seq);
        }
    }

    /** The luma plane of a decoded dense frame and the tag in its strip (an unscaled frame's bottom rows). */
    private static DenseFrameListener.Frame copyDense(VideoFrame frame) {
        long arrived = System.nanoTime();
        dev.onvoid.webrtc.media.video.I420Buffer b = frame.buffer.toI420();
        int w = b.getWidth();
        int h = b.getHeight();
        byte[] y = new byte[w * h];
        java.nio.ByteBuffer data = b.getDataY();
        for (int row = 0; row < h; row++) {
            data.get(row * b.getStrideY(), y, row * w, w);
        }
        int rows = dev.depthcast.wire.DenseTag.ROWS;
        int tag = h > rows ? dev.depthcast.wire.DenseTag.read(y, w, w, h - rows, rows) : -1;
        return new DenseFrameListener.Frame(w, h, y, tag, arrived);
    }

    private void ack(long seq) {
        WebSocket ws = listener.socket();
        if (ws == null || closed.get()) {
            return;
        }
        String text = seq >= 0 ? "{\"type\":\"ack\",\"seq\":" + seq + "}" : "{\"type\":\"ack\"}";
        acks = acks.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true));
    }

    private void onTextMessage(String text) {
        try {
            JsonObject m = new JsonObject(text);
            if ("error".equals(m.getString("type"))) {
                lastError = m.getString("message");
            }
        } catch (RuntimeException e) {
            lastError = "unreadable text message";
        }
    }
}
