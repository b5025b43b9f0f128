package dev.depthcast.signaling;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Real offers and candidates for the grammar and fuzz tests: captured from Debian Chromium 156
 * (fake camera; video only, and video + audio + data channel) plus a hand-written offer in
 * Firefox's style (o=mozilla…, braces in msid, session-level fingerprint).
 */
final class SdpCorpus {

    static final List<String> OFFERS = List.of(
            read("chromium-video-only.sdp"), read("chromium-video-audio-data.sdp"), read("firefox-style-video.sdp"));

    static final List<JsonObject> CANDIDATES =
            candidates("chromium-video-only.candidates.json", "chromium-video-audio-data.candidates.json");

    private SdpCorpus() {}

    static String read(String name) {
        try (InputStream in = SdpCorpus.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource /sdp/" + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonObject> candidates(String... names) {
        List<JsonObject> out = new ArrayList<>();
        for (String name : names) {
            for (Object o : new JsonArray(read(name))) {
                out.add((JsonObject) o);
            }
        }
        return List.copyOf(out);
    }
}
