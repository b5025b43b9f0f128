package dev.depthcast.signaling;

import io.vertx.core.json.JsonObject;

/**
 * A browser's {@code RTCIceCandidate.toJSON()} — {@code candidate}, {@code sdpMid},
 * {@code sdpMLineIndex}, {@code usernameFragment} — checked, with its parsed line.
 * An empty or null {@code candidate} is the end-of-candidates marker.
 */
record BrowserCandidate(String candidate, String sdpMid, int sdpMLineIndex, String usernameFragment,
                               CandidateLine line) {

    public static BrowserCandidate fromJson(JsonObject json) {
        Object raw = json.getValue("candidate");
        if (raw != null && !(raw instanceof String)) {
            throw new IllegalArgumentException("'candidate' must be a string");
        }
        String candidate = (String) raw;
        String mid = stringOrNull(json, "sdpMid");
        Integer index = indexOrNull(json);
        String ufrag = stringOrNull(json, "usernameFragment");
        if (candidate == null || candidate.isBlank()) {
            return new BrowserCandidate("", mid, index == null ? -1 : index, ufrag, null);
        }
        if (mid == null && index == null) {
            throw new IllegalArgumentException("candidate needs sdpMid or sdpMLineIndex");
        }
        CandidateLine line = CandidateLine.parse(candidate);
        String normalized = candidate.trim().startsWith("a=") ? candidate.trim().substring(2) : candidate.trim();
        return new BrowserCandidate(normalized, mid == null ? "" : mid, index == null ? -1 : index, ufrag, line);
    }

    public boolean isEndOfCandidates() {
        return line == null;
    }

    private static String stringOrNull(JsonObject json, String key) {
        Object v = json.getValue(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("'" + key + "' must be a string");
        }
        return s;
    }

    private static Integer indexOrNull(JsonObject json) {
        Object v = json.getValue("sdpMLineIndex");
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 0 || n.intValue() > 1024) {
            throw new IllegalArgumentException("'sdpMLineIndex' must be a small non-negative integer, got " + v);
        }
        return n.intValue();
    }
}
