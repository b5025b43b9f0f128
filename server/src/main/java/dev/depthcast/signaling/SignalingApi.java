package dev.depthcast.signaling;

import dev.depthcast.metrics.PipelineMetrics;
import dev.depthcast.webrtc.NegotiationException;
import dev.depthcast.webrtc.PeerSession;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The HTTP API of docs/protocol.md. Each handler does one job and never blocks its event loop:
 * WebRTC calls go to worker threads through {@link SessionRegistry}.
 */
public final class SignalingApi {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingApi.class);
    public static final long BODY_LIMIT = 64 * 1024;

    private final Vertx vertx;
    private final SessionRegistry sessions;
    private final PipelineMetrics metrics;
    private final Supplier<Map<String, Object>> serverInfo;

    public SignalingApi(Vertx vertx, SessionRegistry sessions, PipelineMetrics metrics,
                        Supplier<Map<String, Object>> serverInfo) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.metrics = metrics;
        this.serverInfo = serverInfo;
    }

    public void mount(Router router) {
        router.post("/api/*").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        router.post("/api/sessions").handler(this::createSession);
        router.post("/api/sessions/:id/candidates").handler(this::addCandidates);
        router.get("/api/sessions/:id/candidates").handler(this::listCandidates);
        router.delete("/api/sessions/:id").handler(this::deleteSession);
        router.get("/api/sessions/:id/results").handler(this::openResults);
        router.get("/api/stats").handler(this::stats);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        router.route("/api/*").failureHandler(this::failure);
    }

    private void createSession(RoutingContext ctx) {
        JsonObject body = jsonBody(ctx);
        if (body == null) {
            return;
        }
        if (!"offer".equals(body.getString("type", "offer"))) {
            error(ctx, 400, "expected an SDP offer (type 'offer'), got type '" + body.getValue("type") + "'");
            return;
        }
        OfferSdp offer;
        boolean trickle;
        try {
            offer = OfferSdp.parse(body.getValue("sdp") instanceof String s ? s : null);
            trickle = body.getBoolean("trickle", true);
        } catch (IllegalArgumentException | ClassCastException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        sessions.create(offer, trickle).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().setStatusCode(201).putHeader("content-type", "application/json")
                        .end(new JsonObject().put("id", ar.result().id()).put("type", "answer")
                                .put("sdp", ar.result().answerSdp()).encode());
            } else if (ar.cause() instanceof ServerFullException full) {
                error(ctx, 503, full.getMessage());
            } else if (ar.cause() instanceof NegotiationException bad) {
                error(ctx, 400, "WebRTC rejected the offer: " + bad.getMessage());
            } else {
                LOG.error("creating a session failed", ar.cause());
                error(ctx, 500, "could not create the session; the server log has the cause");
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
                JsonArray list = body.getJsonArray("candidates");
                for (int i = 0; i < list.size(); i++) {
                    parsed.add(BrowserCandidate.fromJson(list.getJsonObject(i)));
                }
            } else {
                parsed.add(BrowserCandidate.fromJson(body));
            }
            for (BrowserCandidate c : parsed) {
                List<String> ufrags = session.offer().iceUfrags();
                if (c.usernameFragment() != null && !ufrags.isEmpty() && !ufrags.contains(c.usernameFragment())) {
                    throw new IllegalArgumentException("candidate is for ICE ufrag '" + c.usernameFragment()
                            + "' but this session's offer uses " + ufrags + " (stale candidate from an old offer?)");
                }
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            error(ctx, 400, "bad ICE candidate: " + e.getMessage());
            return;
        }
        vertx.executeBlocking(() -> {
            for (BrowserCandidate c : parsed) {
                if (!c.isEndOfCandidates()) {
                    session.peer().addRemoteCandidate(c.candidate(), c.sdpMid(), c.sdpMLineIndex());
                }
            }
            return null;
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().setStatusCode(204).end();
            } else {
                error(ctx, 400, "WebRTC rejected the candidate: " + ar.cause().getMessage());
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
            list.add(new JsonObject().put("candidate", c.candidate()).put("sdpMid", c.sdpMid())
                    .put("sdpMLineIndex", c.sdpMLineIndex()));
        }
        ctx.response().putHeader("content-type", "application/json").end(new JsonObject()
                .put("candidates", list).put("complete", session.peer().gatheringComplete()).encode());
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
        ctx.request().toWebSocket().onSuccess(ws -> session.sink().attach(ws))
                .onFailure(e -> LOG.debug("results WebSocket upgrade failed: {}", e.getMessage()));
    }

    private void stats(RoutingContext ctx) {
        JsonObject out = new JsonObject(serverInfo.get());
        out.put("metrics", new JsonObject(metrics.summary()));
        JsonArray list = new JsonArray();
        for (Session s : sessions.all()) {
            list.add(new JsonObject().put("id", SessionRegistry.shortId(s.id()))
                    .put("state", s.peer().state().name().toLowerCase())
                    .put("framesIn", s.mailbox().offered())
                    .put("droppedInMailbox", s.drops().count(PipelineMetrics.Drop.MAILBOX_REPLACED))
                    .put("resultsSuperseded", s.drops().count(PipelineMetrics.Drop.RESULT_SUPERSEDED)));
        }
        out.put("sessions", list);
        ctx.response().putHeader("content-type", "application/json").end(out.encodePrettily());
    }

    private Session session(RoutingContext ctx) {
        Session s = sessions.get(ctx.pathParam("id")).orElse(null);
        if (s == null) {
            error(ctx, 404, "no such session");
        }
        return s;
    }

    private static JsonObject jsonBody(RoutingContext ctx) {
        try {
            JsonObject body = ctx.body().asJsonObject();
            if (body == null) {
                error(ctx, 400, "expected a JSON object body");
            }
            return body;
        } catch (DecodeException | ClassCastException e) {
            error(ctx, 400, "malformed JSON: " + e.getMessage());
            return null;
        }
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String message = switch (status) {
            case 413 -> "request body over " + BODY_LIMIT + " bytes";
            case 404 -> "not found";
            // A 500's exception text is the server's business: logged below, never sent.
            case 500 -> "internal error; the server log has the cause";
            default -> ctx.failure() == null ? "request failed" : ctx.failure().getMessage();
        };
        if (status == 500) {
            LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
        }
        if (!ctx.response().ended()) {
            error(ctx, status, message);
        }
    }

    static void error(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }
}
