package dev.depthcast.webrtc;

import dev.depthcast.config.IceConfig;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@link IceConfig} in webrtc-java's terms: the {@link RTCConfiguration} of each server peer
 * connection (ICE servers with credentials, {@link PortAllocatorConfig} port range) and the rewrite of
 * the candidates it hands out ({@link AnnouncedAddress}). libwebrtc gathers passive ICE-TCP host
 * candidates on its own (in the same port range), so UDP-blocked clients can connect over TCP
 * without TURN when the server's TCP ports are reachable.
 */
public final class IceSetup {

    /** Loopback/LAN: no ICE servers, any port, candidates as gathered. */
    public static final IceSetup NONE = new IceSetup(IceConfig.NONE);

    private final IceConfig config;
    private final AnnouncedAddress announced;

    public IceSetup(IceConfig config) {
        this.config = config;
        this.announced = config.announcedIp() == null ? null : new AnnouncedAddress(config.announcedIp());
    }

    /** A fresh configuration for one peer connection; TURN credentials minted now for the server itself. */
    public RTCConfiguration rtcConfiguration(Instant now) {
        RTCConfiguration rtc = new RTCConfiguration();
        List<RTCIceServer> servers = new ArrayList<>();
        for (IceConfig.Server s : config.iceServersFor("depthcast-server", now)) {
            RTCIceServer server = new RTCIceServer();
            server.urls = new ArrayList<>(s.urls());
            server.username = s.username();
            server.password = s.credential();
            servers.add(server);
        }
        rtc.iceServers = servers;
        if (config.portRange() != null) {
            rtc.portAllocatorConfig = new PortAllocatorConfig(
                    config.portRange().min(), config.portRange().max(), 0);
        }
        return rtc;
    }

    /** What happens to each local candidate line before it leaves the server. */
    public UnaryOperator<String> candidateRewrite() {
        return announced == null ? UnaryOperator.identity() : announced::candidate;
    }

    /** What happens to a local SDP (its {@code a=candidate} lines) before it leaves the server. */
    public UnaryOperator<String> sdpRewrite() {
        return announced == null ? UnaryOperator.identity() : announced::sdp;
    }
}
