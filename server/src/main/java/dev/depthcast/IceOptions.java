package dev.depthcast;

import dev.depthcast.config.IceConfig;
import dev.depthcast.config.IceServerUrl;
import dev.depthcast.config.PortRange;
import dev.depthcast.config.TurnCredentials;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How peers find a path to the server — STUN/TURN servers, TURN credentials, the local port range,
 * the address a 1:1 NAT announces (docs/networks.md) — as a picocli mixin of {@link ServeCommand},
 * and the {@link IceConfig} they describe.
 */
final class IceOptions {

    @Option(
            names = "--ice-server",
            paramLabel = "URL",
            description = "STUN/TURN server for the server's peer connections and the page (repeatable): "
                    + "stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp], turns:HOST[:PORT]")
    List<String> iceServers = new ArrayList<>();

    @Option(
            names = "--turn-secret",
            paramLabel = "SECRET",
            defaultValue = "${env:DEPTHCAST_TURN_SECRET}",
            description = "coturn's static-auth-secret (use-auth-secret): pages get credentials that expire in 24 h; "
                    + "or set DEPTHCAST_TURN_SECRET, which keeps it out of ps")
    String turnSecret;

    @Option(
            names = "--turn-user",
            paramLabel = "USER",
            description = "static TURN user (coturn user=USER:PASS), handed to pages as is")
    String turnUser;

    @Option(
            names = "--turn-pass",
            paramLabel = "PASS",
            defaultValue = "${env:DEPTHCAST_TURN_PASS}",
            description = "its password (or DEPTHCAST_TURN_PASS)")
    String turnPass;

    @Option(
            names = "--ice-port-range",
            paramLabel = "MIN-MAX",
            description =
                    "local ports for WebRTC (UDP, and TCP for ICE-TCP), e.g. 50000-50100: a firewall opens only these")
    String icePortRange;

    @Option(
            names = "--announced-ip",
            paramLabel = "ADDR",
            description = "public address of a 1:1 NAT in front of this host: host candidates carry it instead of the "
                    + "private one (forward --port and --ice-port-range to this host)")
    String announcedIp;

    /** @throws dev.depthcast.config.ConfigException naming the flag whose value is wrong */
    IceConfig toIceConfig() {
        List<IceServerUrl> urls = iceServers.stream().map(IceServerUrl::parse).toList();
        TurnCredentials turn = null;
        if (turnSecret != null) {
            turn = TurnCredentials.restSecret(turnSecret);
        } else if (turnUser != null || turnPass != null) {
            turn = TurnCredentials.staticUser(turnUser, turnPass);
        }
        return new IceConfig(urls, turn, icePortRange == null ? null : PortRange.parse(icePortRange), announcedIp);
    }
}
