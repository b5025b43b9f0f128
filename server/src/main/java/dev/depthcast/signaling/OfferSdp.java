package dev.depthcast.signaling;

import java.util.ArrayList;
import java.util.List;

/**
 * The few facts about a browser's offer the server checks before handing it to WebRTC, so a bad
 * offer gets a clear 400: it is SDP, it sends video, and which ICE ufrag(s) it uses.
 */
record OfferSdp(String sdp, List<String> iceUfrags) {

    public static final int MAX_LENGTH = 60_000;

    public static OfferSdp parse(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new IllegalArgumentException("offer has no 'sdp'");
        }
        if (sdp.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("offer SDP is " + sdp.length() + " characters, more than " + MAX_LENGTH);
        }
        String[] lines = sdp.split("\r?\n");
        if (!lines[0].trim().equals("v=0")) {
            throw new IllegalArgumentException("not an SDP offer: it must begin with 'v=0'");
        }
        boolean video = false;
        boolean videoSends = false;
        boolean inVideo = false;
        List<String> ufrags = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.trim();
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
        return new OfferSdp(sdp, List.copyOf(ufrags));
    }
}
