package dev.depthcast.signaling;

import java.util.ArrayList;
import java.util.List;

/**
 * A browser's offer, checked before WebRTC sees it so a bad offer gets a clear 400: it passes
 * {@link SdpGrammar} (which keeps anything libwebrtc could choke on away from it), it sends video,
 * and which ICE ufrag(s) and media ids it uses (the candidate checks compare against them).
 */
public record OfferSdp(String sdp, List<String> iceUfrags, List<String> mids, int mediaCount) {

    public static final int MAX_LENGTH = SdpGrammar.MAX_LENGTH;

    /** The camera field of view an offer may name ({@code hfov}, horizontal, degrees). */
    public static final double MIN_HFOV_DEGREES = 20;

    public static final double MAX_HFOV_DEGREES = 150;

    /**
     * The offer body's {@code hfov}, when it has one: the camera's horizontal field of view in
     * degrees, 20 to 150 (without one, the server's {@code --fov} applies).
     *
     * @throws IllegalArgumentException naming the allowed range, for anything else (null included)
     */
    public static double hfov(Object value) {
        if (value instanceof Number n) {
            double degrees = n.doubleValue();
            if (degrees >= MIN_HFOV_DEGREES && degrees <= MAX_HFOV_DEGREES) {
                return degrees;
            }
        }
        throw new IllegalArgumentException("hfov must be a horizontal field of view in degrees, "
                + (int) MIN_HFOV_DEGREES + " to " + (int) MAX_HFOV_DEGREES + " (got " + value + ")");
    }

    public static OfferSdp parse(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new IllegalArgumentException("offer has no 'sdp'");
        }
        SdpGrammar.Outline outline = SdpGrammar.check(sdp);
        String[] lines = sdp.split("\r?\n");
        boolean video = false;
        boolean videoSends = false;
        boolean inVideo = false;
        List<String> ufrags = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("m=")) {
                inVideo = line.startsWith("m=video ");
                if (inVideo) {
                    video = true;
                    videoSends = true;
                }
            } else if (inVideo && (line.equals("a=recvonly") || line.equals("a=inactive"))) {
                videoSends = false;
            } else if (line.startsWith("a=ice-ufrag:")) {
                String u = line.substring("a=ice-ufrag:".length());
                if (!ufrags.contains(u)) {
                    ufrags.add(u);
                }
            }
        }
        if (!video) {
            throw new IllegalArgumentException("offer has no video m-line: send the camera track");
        }
        if (!videoSends) {
            throw new IllegalArgumentException("offer's video is recvonly/inactive: the browser must send its camera");
        }
        return new OfferSdp(sdp, List.copyOf(ufrags), outline.mids(), outline.mediaCount());
    }
}
