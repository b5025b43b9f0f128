package dev.depthcast.signaling;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A browser's {@code RTCIceCandidate.toJSON()} — {@code candidate}, {@code sdpMid},
 * {@code sdpMLineIndex}, {@code usernameFragment} — checked, with its parsed line.
 * An empty or null {@code candidate} is the end-of-candidates marker.
 */
record BrowserCandidate(
        String candidate, String sdpMid, int sdpMLineIndex, String usernameFragment, CandidateLine line) {

    private static final Pattern MID = Pattern.compile("[A-Za-z0-9_.+-]{1,32}");
    private static final Pattern UFRAG = Pattern.compile("[A-Za-z0-9+/]{4,256}");

    public static BrowserCandidate fromJson(Object element) {
        if (!(element instanceof JsonObject json)) {
            throw new IllegalArgumentException("each candidate must be a JSON object");
        }
        Object raw = json.getValue("candidate");
        if (raw != null && !(raw instanceof String)) {
            throw new IllegalArgumentException("'candidate' must be a string");
        }
        String candidate = (String) raw;
        String mid = stringOrNull(json, "sdpMid");
        Integer index = indexOrNull(json);
        String ufrag = stringOrNull(json, "usernameFragment");
        if (mid != null && !mid.isEmpty() && !MID.matcher(mid).matches()) {
            throw new IllegalArgumentException("'sdpMid' must be a media id of up to 32 letters, digits or _ . + -");
        }
        if (ufrag != null && !ufrag.isEmpty() && !UFRAG.matcher(ufrag).matches()) {
            throw new IllegalArgumentException(
                    "'usernameFragment' must be 4-256 ICE characters (letters, digits, + /)");
        }
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

    /**
     * Checks the candidate belongs to this session's offer: its ufrag (a stale candidate from an
     * old offer is refused), its media id and m-line index.
     */
    public void checkAgainst(OfferSdp offer) {
        List<String> ufrags = offer.iceUfrags();
        if (usernameFragment != null
                && !usernameFragment.isEmpty()
                && !ufrags.isEmpty()
                && !ufrags.contains(usernameFragment)) {
            throw new IllegalArgumentException(
                    "candidate is for ICE ufrag '" + CandidateLine.abbreviate(usernameFragment)
                            + "' but this session's offer uses " + CandidateLine.abbreviate(ufrags.toString())
                            + " (stale candidate from an old offer?)");
        }
        if (isEndOfCandidates()) {
            return;
        }
        if (!sdpMid.isEmpty() && !offer.mids().isEmpty() && !offer.mids().contains(sdpMid)) {
            throw new IllegalArgumentException("candidate's sdpMid '" + sdpMid + "' is not a media id of the offer "
                    + CandidateLine.abbreviate(offer.mids().toString()));
        }
        if (sdpMLineIndex >= offer.mediaCount()) {
            throw new IllegalArgumentException("candidate's sdpMLineIndex " + sdpMLineIndex + " is past the offer's "
                    + offer.mediaCount() + " m-line(s)");
        }
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
            throw new IllegalArgumentException("'sdpMLineIndex' must be an integer 0..1024");
        }
        return n.intValue();
    }
}
