package dev.depthcast.signaling;

import java.util.ArrayList;
import java.util.List;

/**
 * A browser's offer, checked before WebRTC sees it so a bad offer gets a clear 400: it passes
 * {@link SdpGrammar} (which keeps anything libwebrtc could choke on away from it), it sends video,
 * and which ICE ufrag(s) and media ids it uses (the candidate checks compare against them).
 * {@code denseMid}: the media id of a receive-only video m-line, where the page asks for the dense
 * video track (docs/protocol.md, "Dense frames"), or null.
 */
public record OfferSdp(String sdp, List<String> iceUfrags, List<String> mids, int mediaCount, String denseMid) {

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
        String direction = null;
        String mid = null;
        String denseMid = null;
        List<String> ufrags = new ArrayList<>();
        for (int i = 0; i <= lines.length; i++) {
            String line = i < lines.length ? lines[i] : "m=end";
            if (line.startsWith("m=")) {
                // The section that ends here: a camera the browser sends, or a video it only receives.
                if (inVideo) {
                    if ("a=recvonly".equals(direction)) {
                        denseMid = denseMid == null ? mid : denseMid;
                    } else if (!"a=inactive".equals(direction)) {
                        videoSends = true;
                    }
                }
                inVideo = line.startsWith("m=video ");
                video |= inVideo;
                direction = null;
                mid = null;
            } else if (line.equals("a=recvonly")
                    || line.equals("a=inactive")
                    || line.equals("a=sendonly")
                    || line.equals("a=sendrecv")) {
                direction = line;
            } else if (line.startsWith("a=mid:")) {
                mid = line.substring("a=mid:".length());
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
        return new OfferSdp(sdp, List.copyOf(ufrags), outline.mids(), outline.mediaCount(), denseMid);
    }
}
