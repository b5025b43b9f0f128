package dev.depthcast.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hostile traffic of a soak run (scripts/soak.sh), beside the well-behaved load: one attack
 * every {@code interval}, in turn, from its own loopback address (default 127.0.0.2, so that the
 * per-address limits it runs into are not the load clients'). The attacks are the cases the
 * server's tests check one by one (LimitsTest, AccessControlTest, SignalingFuzzTest), repeated
 * for as long as the soak lasts, so that whatever they leave behind (connections, sessions,
 * buffers, threads) adds up where the soak's sampler sees it:
 * <ul>
 *   <li>malformed offers (format directives, control bytes, truncation): 400</li>
 *   <li>a 100 KiB body: 413; a text/plain POST: 415; a POST with a foreign Origin: 403</li>
 *   <li>a wrong token (when the server has one): 401; an unknown session id: 404</li>
 *   <li>a 10 KB URL and 20 KB of headers: 4xx or closed</li>
 *   <li>half-open requests, held open in the background: headers that never end (closed at the
 *       header deadline) and a body that never comes (408)</li>
 *   <li>every {@value #BURST_EVERY} attacks a burst of real (Chromium) offers until the
 *       address's session limit answers 429; the first session's results socket then gets
 *       4 KiB pings it never reads replies to, and a 10 KB message (closed 1009); half the
 *       sessions are deleted, the rest left for the server to reap (no media ever comes)</li>
 * </ul>
 * Counts each attack's answers by status ({@link #report()}); a 5xx, or no answer where one is
 * due, is counted as unexpected.
 */
public final class HostileMix implements AutoCloseable {

    /**
     * @param url          the server
     * @param token        its bearer token, or null; sent with every attack but the wrong-token one,
     *                     so the attacks reach the checks behind the token
     * @param from         the local address the attacks come from (any 127.0.0.0/8 address works on Linux)
     * @param interval     time between attacks
     * @param burst        offers in one session burst (more than the server's --max-sessions-per-ip)
     */
    public record Settings(URI url, String token, String from, Duration interval, int burst) {}

    static final int BURST_EVERY = 30;
    private static final int READ_TIMEOUT_MS = 15_000;
    private static final int MAX_HELD = 6;
    private static final String[] KINDS = {
        "malformed-offer",
        "oversized-body",
        "bad-origin",
        "not-json",
        "bad-token",
        "unknown-session",
        "long-url",
        "big-headers",
        "slow-headers",
        "half-open-body"
    };

    private final Settings s;
    private final PrintStream log;
    private final String offer;
    private final Map<String, Map<String, Long>> counts = new TreeMap<>();
    private final AtomicLong unexpected = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final List<String> unexpectedSamples = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Semaphore held = new Semaphore(MAX_HELD);
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-held");
        t.setDaemon(true);
        return t;
    });
    private final Vertx vertx = Vertx.vertx();
    private Thread runner;
    private long round;

    public HostileMix(Settings settings, PrintStream log) {
        this.s = settings;
        this.log = log;
        try (InputStream in = HostileMix.class.getResourceAsStream("/hostile/chromium-video-only.sdp")) {
            this.offer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("resource /hostile/chromium-video-only.sdp is missing", e);
        }
    }

    /** Starts the attacks on a thread of their own. */
    public void start() {
        runner = new Thread(
                () -> {
                    while (!stop.get()) {
                        long next = System.nanoTime() + s.interval().toNanos();
                        try {
                            attack(round++);
                        } catch (RuntimeException e) {
                            count("driver", "error " + e.getClass().getSimpleName(), true, e.toString());
                        }
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            try {
                                Thread.sleep(wait / 1_000_000);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                },
                "hostile-mix");
        runner.setDaemon(true);
        runner.start();
    }

    /** Runs attack number {@code n} (the kinds in turn; every {@value #BURST_EVERY}th a session burst). */
    void attack(long n) {
        if (n % BURST_EVERY == BURST_EVERY - 1) {
            burst();
            return;
        }
        String kind = KINDS[(int) (n % KINDS.length)];
        switch (kind) {
            case "malformed-offer" -> {
                String[] bad = {
                    offer.replace("a=rtcp-fb:96 nack\r\n", "a=fmtp:96 %n%n%s%p\r\n"),
                    offer.replace("s=-", "s=\u0001\u0007\u00ff"),
                    offer.substring(0, offer.length() / 3),
                    offer.replace("m=video", "m=video".repeat(2000))
                };
                String sdp = bad[(int) (n / KINDS.length % bad.length)];
                expect(
                        kind,
                        post(
                                "/api/sessions",
                                new JsonObject()
                                        .put("type", "offer")
                                        .put("sdp", sdp)
                                        .encode(),
                                "application/json",
                                null,
                                s.token()),
                        "400",
                        "413");
            }
            case "oversized-body" ->
                expect(
                        kind,
                        post(
                                "/api/sessions",
                                "{\"sdp\":\"" + "v".repeat(100 * 1024) + "\"}",
                                "application/json",
                                null,
                                s.token()),
                        "413");
            case "bad-origin" ->
                expect(
                        kind,
                        post(
                                "/api/sessions",
                                new JsonObject().put("sdp", offer).encode(),
                                "application/json",
                                "https://evil.example",
                                s.token()),
                        "403");
            case "not-json" ->
                expect(kind, post("/api/sessions", "sdp=" + offer, "text/plain", null, s.token()), "415");
            case "bad-token" -> {
                if (s.token() != null) {
                    expect(
                            kind,
                            post(
                                    "/api/sessions",
                                    new JsonObject().put("sdp", offer).encode(),
                                    "application/json",
                                    null,
                                    "not-" + s.token()),
                            "401");
                } else {
                    // No token configured: a DELETE of someone else's (unknown) session instead.
                    expect(
                            kind,
                            raw(
                                    "DELETE /api/sessions/" + "0".repeat(32) + " HTTP/1.1\r\n" + headers(s.token())
                                            + "Content-Length: 0\r\n\r\n",
                                    READ_TIMEOUT_MS),
                            "404");
                }
            }
            case "unknown-session" ->
                expect(
                        kind,
                        post(
                                "/api/sessions/" + "f".repeat(32) + "/candidates",
                                "{\"candidates\":[]}",
                                "application/json",
                                null,
                                s.token()),
                        "404");
            case "long-url" ->
                expect(
                        kind,
                        raw(
                                "GET /api/" + "a".repeat(10_000) + " HTTP/1.1\r\n" + headers(s.token()) + "\r\n",
                                READ_TIMEOUT_MS),
                        "414",
                        "400",
                        "closed");
            case "big-headers" ->
                expect(
                        kind,
                        raw(
                                "GET /api/stats HTTP/1.1\r\n" + headers(s.token())
                                        + ("X-Filler: " + "b".repeat(1000) + "\r\n").repeat(20) + "\r\n",
                                READ_TIMEOUT_MS),
                        "431",
                        "400",
                        "413",
                        "closed");
            case "slow-headers" ->
                held(kind, "GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n", "closed", "408");
            case "half-open-body" ->
                held(
                        kind,
                        "POST /api/sessions HTTP/1.1\r\n" + headers(s.token())
                                + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"sdp\":\"v=0",
                        "408",
                        "closed");
            default -> throw new IllegalStateException(kind);
        }
    }

    /** Offers until 429; then the never-reading results socket on the first; then half deleted, half left. */
    private void burst() {
        List<String> ids = new ArrayList<>();
        String body = new JsonObject().put("type", "offer").put("sdp", offer).encode();
        for (int i = 0; i < s.burst(); i++) {
            String r = post("/api/sessions", body, "application/json", null, s.token());
            expect("session-burst", r, "201", "429", "503");
            if (r.startsWith("201 ")) {
                String id = new JsonObject(r.substring(r.indexOf('{'))).getString("id");
                ids.add(id);
            } else if (r.startsWith("429")) {
                break;
            }
        }
        if (!ids.isEmpty()) {
            count("results-socket", neverReadingSocket(ids.get(0)), false, null);
        }
        for (int i = 0; i < ids.size(); i += 2) {
            expect(
                    "session-delete",
                    raw(
                            "DELETE /api/sessions/" + ids.get(i) + " HTTP/1.1\r\n" + headers(s.token())
                                    + "Content-Length: 0\r\n\r\n",
                            READ_TIMEOUT_MS),
                    "204",
                    "404");
        }
    }

    /**
     * A results socket that sends 4 KiB pings and never reads what comes back (paused), then a
     * 10 KB message: the server must skip replies rather than queue them, and close on the big one.
     */
    private String neverReadingSocket(String id) {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setLocalAddress(s.from())
                .setMaxFrameSize(65536)
                .setMaxMessageSize(65536));
        try {
            String uri = "/api/sessions/" + id + "/results" + (s.token() == null ? "" : "?token=" + s.token());
            WebSocket ws = client.connect(new WebSocketConnectOptions()
                            .setHost(s.url().getHost())
                            .setPort(s.url().getPort())
                            .setURI(uri))
                    .await(10, TimeUnit.SECONDS);
            ws.pause();
            CompletableFuture<Short> closed = new CompletableFuture<>();
            ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
            String ping = new JsonObject()
                    .put("type", "ping")
                    .put("t", 1.5)
                    .put("pad", "p".repeat(4000))
                    .encode();
            long deadline = System.nanoTime() + 5_000_000_000L;
            for (int i = 0; i < 2000 && System.nanoTime() < deadline && !closed.isDone(); i++) {
                ws.writeTextMessage(ping);
                while (ws.writeQueueFull() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
            }
            ws.resume();
            ws.writeTextMessage("x".repeat(10_000));
            Short code = closed.get(10, TimeUnit.SECONDS);
            return "close " + code;
        } catch (java.util.concurrent.TimeoutException e) {
            return "not closed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            // The session may have been reaped already (no media comes), or the upgrade refused.
            return "upgrade failed";
        } finally {
            client.close();
        }
    }

    /** Sends a request that never finishes and holds it in the background until the server gives up. */
    private void held(String kind, String partial, String... ok) {
        if (!held.tryAcquire()) {
            count(kind, "skipped (" + MAX_HELD + " held)", false, null);
            return;
        }
        background.execute(() -> {
            try {
                expect(kind, raw(partial, 60_000), ok);
            } finally {
                held.release();
            }
        });
    }

    private String headers(String token) {
        return "Host: 127.0.0.1\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n");
    }

    private String post(String path, String body, String type, String origin, String token) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        return raw(
                "POST " + path + " HTTP/1.1\r\n" + headers(token) + "Content-Type: " + type + "\r\n"
                        + (origin == null ? "" : "Origin: " + origin + "\r\n") + "Content-Length: " + b.length
                        + "\r\n\r\n"
                        + body,
                READ_TIMEOUT_MS);
    }

    /**
     * Sends the text over a socket bound to {@link Settings#from()}; returns "STATUS BODY" (status
     * and body of the answer), "closed" when the server closed without an answer, or "io-error …".
     */
    private String raw(String request, int timeoutMs) {
        sent.incrementAndGet();
        try (Socket sock = new Socket()) {
            sock.bind(new InetSocketAddress(InetAddress.getByName(s.from()), 0));
            sock.connect(new InetSocketAddress(s.url().getHost(), s.url().getPort()), 5000);
            sock.setSoTimeout(timeoutMs);
            OutputStream out = sock.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before it read everything (413, 414, 431).
            }
            String answer = readAll(sock.getInputStream());
            if (answer.isEmpty()) {
                return "closed";
            }
            // HTTP/1.0 when the server could not read the request line (a URL too long to parse).
            if (!answer.matches("(?s)HTTP/1\\.[01] [0-9]{3}.*")) {
                return "garbled " + answer.substring(0, Math.min(40, answer.length()));
            }
            int bodyAt = answer.indexOf("\r\n\r\n");
            return answer.substring(9, 12) + " " + (bodyAt < 0 ? "" : answer.substring(bodyAt + 4));
        } catch (SocketTimeoutException e) {
            return "no answer in " + timeoutMs / 1000 + " s";
        } catch (IOException e) {
            return "io-error " + e.getClass().getSimpleName();
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                buf.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            if (buf.size() == 0) {
                throw e;
            }
        } catch (IOException e) {
            // a reset after (or instead of) the answer: what arrived is the answer
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Counts the answer under its status; anything not in {@code ok} is unexpected. */
    private void expect(String kind, String answer, String... ok) {
        String status = answer.length() >= 3 && Character.isDigit(answer.charAt(0))
                ? answer.substring(0, 3)
                : answer.startsWith("io-error") ? "io-error" : answer;
        boolean fine = false;
        for (String o : ok) {
            fine |= o.equals(status);
        }
        count(kind, status, !fine, answer.length() > 160 ? answer.substring(0, 160) : answer);
    }

    private synchronized void count(String kind, String status, boolean bad, String detail) {
        counts.computeIfAbsent(kind, k -> new TreeMap<>()).merge(status, 1L, Long::sum);
        if (bad) {
            unexpected.incrementAndGet();
            if (unexpectedSamples.size() < 20) {
                unexpectedSamples.add(kind + ": " + detail);
                log.println("hostile: unexpected answer to " + kind + ": " + detail);
            }
        }
    }

    /** Requests sent so far. */
    public long sent() {
        return sent.get();
    }

    /** Answers that were not what the attack should get (a 5xx, no answer, a wrong status). */
    public long unexpected() {
        return unexpected.get();
    }

    /** {"sent": n, "unexpected": n, "byKind": {kind: {status: count}}, "unexpectedSamples": [...]} */
    public synchronized JsonObject report() {
        JsonObject byKind = new JsonObject();
        counts.forEach((k, v) -> byKind.put(k, new JsonObject(new TreeMap<String, Object>(v))));
        return new JsonObject()
                .put("from", s.from())
                .put("sent", sent.get())
                .put("unexpected", unexpected.get())
                .put("byKind", byKind)
                .put("unexpectedSamples", new io.vertx.core.json.JsonArray(new ArrayList<>(unexpectedSamples)));
    }

    /** Stops the attacks and waits (up to 70 s) for the held requests to be answered or closed. */
    @Override
    public void close() throws Exception {
        stop.set(true);
        if (runner != null) {
            runner.interrupt();
            runner.join(30_000);
        }
        background.shutdown();
        background.awaitTermination(70, TimeUnit.SECONDS);
        vertx.close().await(5, TimeUnit.SECONDS);
    }
}
