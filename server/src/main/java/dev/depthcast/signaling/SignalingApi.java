package dev.depthcast.signaling;

import dev.depthcast.config.DenseMode;
import dev.depthcast.config.IceConfig;
import dev.depthcast.http.AddressLimits;
import dev.depthcast.http.ServerFaults;
import dev.depthcast.http.WebSocketHandshake;
import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.process.StabiliserState;
import dev.depthcast.webrtc.NegotiationException;
import dev.depthcast.webrtc.PeerSession;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of docs/protocol.md. Each handler does one job and never blocks its event loop:
 * WebRTC calls go to worker threads through {@link SessionRegistry}.
 */
public final class SignalingApi {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingApi.class);
    public static final long BODY_LIMIT = 64 * 1024;
    static final int MAX_CANDIDATES_PER_REQUEST = 32;
    static final int MAX_CANDIDATES_PER_SESSION = 128;

    private final Vertx vertx;
    private final SessionRegistry sessions;
    private final PipelineMetrics metrics;
    private final Supplier<Map<String, Object>> serverInfo;
    private final ServerFaults faults = new ServerFaults(Duration.ofSeconds(10));

    private final AddressLimits limits;
    private final IceConfig ice;
    private final DenseMode dense;

    public SignalingApi(
            Vertx vertx,
            SessionRegistry sessions,
            PipelineMetrics metrics,
            Supplier<Map<String, Object>> serverInfo,
            AddressLimits limits,
            IceConfig ice,
            DenseMode dense) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.metrics = metrics;
        this.serverInfo = serverInfo;
        this.limits = limits;
        this.ice = ice;
        this.dense = dense;
    }

    public void mount(Router router) {
        router.post("/api/*").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        router.get("/api/config").handler(this::pageConfig);
        router.post("/api/sessions").handler(this::createSession);
        router.post("/api/sessions/:id/candidates").handler(this::addCandidates);
        router.get("/api/sessions/:id/candidates").handler(this::listCandidates);
        router.delete("/api/sessions/:id").handler(this::deleteSession);
        router.get("/api/sessions/:id/results").handler(this::openResults);
        router.route().failureHandler(this::failure);
    }

    /** GET /api/stats and GET /metrics: on the public router, or on the admin port's (--admin-port). */
    public void mountAdmin(Router router) {
        router.get("/api/stats").handler(this::stats);
        router.get("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(metrics.scrape()));
        router.route().failureHandler(this::failure);
    }

    /**
     * What the page needs before its first offer: the ICE servers, with TURN credentials minted
     * for this request (coturn REST scheme) so no secret or long-lived password is in the page.
     */
    private void pageConfig(RoutingContext ctx) {
        JsonArray servers = new JsonArray();
        for (IceConfig.Server s : ice.iceServersFor("depthcast-page", Instant.now())) {
            JsonObject entry = new JsonObject().put("urls", new JsonArray(s.urls()));
            if (s.username() != null) {
                entry.put("username", s.username()).put("credential", s.credential());
            }
            servers.add(entry);
        }
        ctx.response()
                .putHeader("content-type", "application/json")
                // Credentials: never cached by the browser or anything between.
                .putHeader("cache-control", "no-store")
                .end(new JsonObject()
                        .put("iceServers", servers)
                        .put("dense", dense.wireName())
                        .encode());
    }

    /** The 201 body: id and answer, and for an offer that asked for dense frames whether it got them. */
    private static JsonObject answerJson(SessionRegistry.Created created) {
        JsonObject json =
                new JsonObject().put("id", created.id()).put("type", "answer").put("sdp", created.answerSdp());
        if (created.dense()) {
            json.put("dense", true);
        } else if (!created.denseRefusal().isEmpty()) {
            json.put("dense", false).put("denseReason", created.denseRefusal());
        }
        return json;
    }

    private void createSession(RoutingContext ctx) {
        JsonObject body = jsonBody(ctx);
        if (body == null) {
            return;
        }
        OfferSdp offer;
        boolean trickle;
        OptionalDouble hfov;
        try {
            Object type = body.getValue("type", "offer");
            if (!"offer".equals(type)) {
                throw new IllegalArgumentException("expected an SDP offer: 'type' must be \"offer\"");
            }
            Object sdp = body.getValue("sdp");
            if (sdp != null && !(sdp instanceof String)) {
                throw new IllegalArgumentException("'sdp' must be a string");
            }
            Object trickleValue = body.getValue("trickle", true);
            if (!(trickleValue instanceof Boolean t)) {
                throw new IllegalArgumentException("'trickle' must be true or false");
            }
            trickle = t;
            offer = OfferSdp.parse((String) sdp);
            hfov = body.containsKey("hfov")
                    ? OptionalDouble.of(OfferSdp.hfov(body.getValue("hfov")))
                    : OptionalDouble.empty();
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        AddressLimits.Reservation reservation;
        try {
            reservation = limits.admit(ctx.request().remoteAddress().hostAddress());
        } catch (AddressLimits.Refused refused) {
            ctx.response().putHeader("retry-after", String.valueOf(refused.retryAfterSeconds()));
            error(ctx, 429, refused.getMessage());
            return;
        }
        sessions.create(offer, trickle, hfov).onComplete(ar -> {
            if (ar.succeeded()) {
                reservation.opened(ar.result().id());
            } else {
                reservation.failed();
            }
            if (ar.succeeded()) {
                // Location names the session: a load balancer in front (scripts/cluster.sh's HAProxy)
                // learns from it which node owns the id, and sends the session's later calls there.
                ctx.response()
                        .setStatusCode(201)
                        .putHeader("content-type", "application/json")
                        .putHeader("location", "/api/sessions/" + ar.result().id())
                        .end(answerJson(ar.result()).encode());
            } else if (ar.cause() instanceof ServerFullException full) {
                error(ctx, 503, full.getMessage());
            } else if (ar.cause() instanceof NegotiationException bad) {
                // libwebrtc's own words stay in the log: they quote native parser state.
                LOG.debug("WebRTC refused an offer: {}", bad.getMessage());
                error(
                        ctx,
                        400,
                        "WebRTC could not use this offer (it passed the SDP checks but libwebrtc refused "
                                + "it: does it offer a video codec the server receives — VP8, VP9, H264, AV1?)");
            } else {
                fault(ctx, "creating a session", ar.cause());
            }
        });
    }

    private void addCandidates(RoutingContext ctx) {
        Session session = session(ctx);
        if (session == null) {
            return;
        }
        JsonObject body = jsonBody(ctx);
        if (body == null) {
            return;
        }
        List<BrowserCandidate> parsed = new ArrayList<>();
        try {
            if (body.containsKey("candidates")) {
                if (!(body.getValue("candidates") instanceof JsonArray list)) {
                    throw new IllegalArgumentException("'candidates' must be an array of candidate objects");
                }
                if (list.size() > MAX_CANDIDATES_PER_REQUEST) {
                    throw new IllegalArgumentException(
                            "at most " + MAX_CANDIDATES_PER_REQUEST + " candidates a request, got " + list.size());
                }
                for (int i = 0; i < list.size(); i++) {
                    parsed.add(BrowserCandidate.fromJson(list.getValue(i)));
                }
            } else {
                parsed.add(BrowserCandidate.fromJson(body));
            }
            for (BrowserCandidate c : parsed) {
                c.checkAgainst(session.offer());
            }
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "bad ICE candidate: " + e.getMessage());
            return;
        }
        long real = parsed.stream().filter(c -> !c.isEndOfCandidates()).count();
        if (session.remoteCandidates().addAndGet((int) real) > MAX_CANDIDATES_PER_SESSION) {
            error(
                    ctx,
                    429,
                    "this session has already sent " + MAX_CANDIDATES_PER_SESSION
                            + " candidates, the most a session may");
            return;
        }
        vertx.executeBlocking(
                        () -> {
                            for (BrowserCandidate c : parsed) {
                                if (!c.isEndOfCandidates()) {
                                    session.peer().addRemoteCandidate(c.candidate(), c.sdpMid(), c.sdpMLineIndex());
                                }
                            }
                            return null;
                        },
                        false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        ctx.response().setStatusCode(204).end();
                    } else {
                        LOG.debug("WebRTC refused a candidate: {}", ar.cause().toString());
                        error(ctx, 400, "WebRTC could not use this candidate");
                    }
                });
    }

    private void listCandidates(RoutingContext ctx) {
        Session session = session(ctx);
        if (session == null) {
            return;
        }
        JsonArray list = new JsonArray();
        for (PeerSession.LocalCandidate c : session.peer().localCandidates()) {
            list.add(new JsonObject()
                    .put("candidate", c.candidate())
                    .put("sdpMid", c.sdpMid())
                    .put("sdpMLineIndex", c.sdpMLineIndex()));
        }
        ctx.response()
                .putHeader("content-type", "application/json")
                .end(new JsonObject()
                        .put("candidates", list)
                        .put("complete", session.peer().gatheringComplete())
                        .encode());
    }

    private void deleteSession(RoutingContext ctx) {
        if (sessions.close(ctx.pathParam("id"), "closed by the client")) {
            ctx.response().setStatusCode(204).end();
        } else {
            error(ctx, 404, "no such session");
        }
    }

    private void openResults(RoutingContext ctx) {
        Session session = session(ctx);
        if (session == null) {
            return;
        }
        String refusal = WebSocketHandshake.refusal(ctx.request());
        if (refusal != null) {
            error(ctx, 400, refusal);
            return;
        }
        ctx.request()
                .toWebSocket()
                .onSuccess(ws -> session.sink().attach(ws))
                .onFailure(e -> LOG.debug("results WebSocket upgrade failed: {}", e.getMessage()));
    }

    private void stats(RoutingContext ctx) {
        JsonObject out = new JsonObject(serverInfo.get());
        out.put("metrics", new JsonObject(metrics.summary()));
        JsonArray list = new JsonArray();
        for (Session s : sessions.all()) {
            list.add(new JsonObject()
                    .put("id", SessionRegistry.shortId(s.id()))
                    .put("state", s.peer().state().name().toLowerCase())
                    .put("framesIn", s.mailbox().offered())
                    .put("droppedInMailbox", s.drops().count(PipelineMetrics.Drop.MAILBOX_REPLACED))
                    .put("resultsSuperseded", s.drops().count(PipelineMetrics.Drop.RESULT_SUPERSEDED))
                    .put("pingRepliesSkipped", s.sink().repliesSkipped())
                    .put("fov", s.params().hfovDegrees())
                    .put("stabiliser", stabiliser(s))
                    .put("dense", dense(s))
                    .put("delivery", new JsonObject(s.sink().link().summary())));
        }
        out.put("sessions", list);
        ctx.response().putHeader("content-type", "application/json").end(out.encodePrettily());
    }

    /** The session's dense channel: null when it did not ask; else whether it is on and frames sent. */
    private static JsonObject dense(Session s) {
        if (!s.dense().negotiated() && s.dense().refusal().isEmpty()) {
            return null;
        }
        return new JsonObject()
                .put("negotiated", s.dense().negotiated())
                .put("active", s.dense().active())
                .put("framesSent", s.dense().framesSent());
    }

    /** The session's stabiliser state, or null when it has none (the server's {@code stabilize} says why). */
    private static JsonObject stabiliser(Session s) {
        if (s.stabiliser() == null) {
            return null;
        }
        StabiliserState st = s.stabiliser().state();
        return new JsonObject()
                .put("scale", st.scale())
                .put("shift", st.shift())
                .put("resets", st.resets())
                .put("failed", st.failed());
    }

    private Session session(RoutingContext ctx) {
        Session s = sessions.get(ctx.pathParam("id")).orElse(null);
        if (s == null) {
            error(ctx, 404, "no such session");
        }
        return s;
    }

    private static JsonObject jsonBody(RoutingContext ctx) {
        Object value;
        try {
            Buffer raw = ctx.body().buffer();
            value = raw == null || raw.length() == 0 ? null : Json.decodeValue(raw);
        } catch (DecodeException e) {
            // Jackson's message names its classes and parser state: the client gets a plain reason.
            error(ctx, 400, "malformed JSON");
            return null;
        }
        if (!(value instanceof JsonObject body)) {
            error(ctx, 400, "expected a JSON object body");
            return null;
        }
        return body;
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        if (ctx.response().ended()) {
            return;
        }
        switch (status) {
            case 413 -> error(ctx, 413, "request body over " + BODY_LIMIT + " bytes");
            case 404 -> error(ctx, 404, "not found");
            case 400 -> error(ctx, 400, "bad request");
            default -> {
                if (status >= 500) {
                    fault(ctx, ctx.request().method() + " " + ctx.request().path(), ctx.failure());
                } else {
                    error(ctx, status, "request refused");
                }
            }
        }
    }

    /** A real server fault: logged once (rate-limited) with its stack trace; the client gets an incident number. */
    private void fault(RoutingContext ctx, String what, Throwable cause) {
        long incident = faults.record(what, cause);
        if (!ctx.response().ended()) {
            error(ctx, 500, ServerFaults.publicMessage(incident));
        }
    }

    public ServerFaults faults() {
        return faults;
    }

    static void error(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }
}
