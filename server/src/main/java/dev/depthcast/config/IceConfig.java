package dev.depthcast.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How peers find a path to the server: the STUN/TURN servers ({@code --ice-server}) both the
 * server's peer connections and the page use, TURN credentials, the local port range
 * ({@code --ice-port-range}) and the public address a 1:1 NAT maps the server to
 * ({@code --announced-ip}). Immutable; {@link #NONE} is loopback/LAN use: host candidates only.
 */
public record IceConfig(List<IceServerUrl> servers, TurnCredentials turn, PortRange portRange, String announcedIp) {

    public static final IceConfig NONE = new IceConfig(List.of(), null, null, null);

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

    /** One entry of an RTCConfiguration's {@code iceServers}: URLs that share credentials (null for STUN). */
    public record Server(List<String> urls, String username, String credential) {}

    /** @throws ConfigException naming the flag when the values do not fit together */
    public IceConfig {
        servers = List.copyOf(servers);
        boolean anyTurn = servers.stream().anyMatch(IceServerUrl::isTurn);
        if (anyTurn && turn == null) {
            throw new ConfigException("a turn:/turns: --ice-server needs credentials: --turn-secret "
                    + "(coturn's use-auth-secret) or --turn-user and --turn-pass");
        }
        if (!anyTurn && turn != null) {
            throw new ConfigException(
                    "--turn-secret/--turn-user are for a TURN server: add --ice-server turn:HOST:PORT");
        }
        if (announcedIp != null) {
            announcedIp = canonicalAddress(announcedIp);
        }
    }

    /**
     * The ICE servers as an RTCConfiguration lists them, with credentials minted for {@code id}: the
     * STUN URLs in one entry without credentials, the TURN URLs in one entry with them.
     */
    public List<Server> iceServersFor(String id, Instant now) {
        List<String> stun = new ArrayList<>();
        List<String> turnUrls = new ArrayList<>();
        for (IceServerUrl u : servers) {
            (u.isTurn() ? turnUrls : stun).add(u.toString());
        }
        List<Server> out = new ArrayList<>();
        if (!stun.isEmpty()) {
            out.add(new Server(List.copyOf(stun), null, null));
        }
        if (!turnUrls.isEmpty()) {
            TurnCredentials.Credential c = turn.issue(id, now);
            out.add(new Server(List.copyOf(turnUrls), c.username(), c.password()));
        }
        return out;
    }

    /** An IPv4 or IPv6 literal (never a name: a candidate must carry an address), in canonical form. */
    static String canonicalAddress(String text) {
        String s = text.trim();
        if (IPV4.matcher(s).matches()) {
            return s;
        }
        if (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+")) {
            try {
                // A literal with ':' is parsed, never looked up in DNS.
                InetAddress a = InetAddress.getByName(s);
                if (a instanceof Inet6Address) {
                    return a.getHostAddress();
                }
            } catch (UnknownHostException e) {
                // falls through to the error below
            }
        }
        throw new ConfigException("--announced-ip '" + text + "' must be an IPv4 or IPv6 address "
                + "(the public address the NAT maps this server to), not a host name");
    }
}
