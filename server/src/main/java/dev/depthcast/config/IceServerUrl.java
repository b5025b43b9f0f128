package dev.depthcast.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --ice-server} URL as RFC 7064 (stun:) and RFC 7065 (turn:, turns:) write it:
 * {@code stun:host[:port]}, {@code turn:host[:port][?transport=udp|tcp]},
 * {@code turns:host[:port][?transport=tcp]}. The host is a name, an IPv4 address or a bracketed
 * IPv6 address. Checked here so a typo is a start-up error naming the flag, not an ICE failure a
 * browser reports minutes later.
 */
public record IceServerUrl(String scheme, String host, int port, String transport) {

    private static final Pattern FORM = Pattern.compile(
            "(?i)(stuns?|turns?):(\\[[0-9a-f:.]+]|[a-z0-9.-]+)(?::(\\d{1,5}))?(?:\\?transport=([a-z]+))?");

    /** @throws ConfigException naming {@code --ice-server} and what is wrong */
    public static IceServerUrl parse(String text) {
        String url = text == null ? "" : text.trim();
        Matcher m = FORM.matcher(url);
        if (!m.matches()) {
            throw new ConfigException("--ice-server '" + text + "' is not a STUN/TURN URL; write it as "
                    + "stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT][?transport=tcp]");
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        boolean secure = scheme.endsWith("s");
        int port = m.group(3) == null ? (secure ? 5349 : 3478) : Integer.parseInt(m.group(3));
        if (port < 1 || port > 65535) {
            throw new ConfigException("--ice-server '" + text + "': port " + port + " is not 1..65535");
        }
        String transport = m.group(4) == null ? null : m.group(4).toLowerCase(Locale.ROOT);
        if (transport != null && scheme.startsWith("stun")) {
            throw new ConfigException("--ice-server '" + text + "': ?transport= belongs to turn: URLs only");
        }
        if (transport != null && !transport.equals("udp") && !transport.equals("tcp")) {
            throw new ConfigException("--ice-server '" + text + "': transport must be udp or tcp");
        }
        if ("turns".equals(scheme) && "udp".equals(transport)) {
            throw new ConfigException("--ice-server '" + text + "': turns: runs over TLS, so over TCP only");
        }
        return new IceServerUrl(scheme, m.group(2).toLowerCase(Locale.ROOT), port, transport);
    }

    /** A TURN server (turn: or turns:), which needs credentials. */
    public boolean isTurn() {
        return scheme.startsWith("turn");
    }

    /** The URL in the normal form browsers and libwebrtc take (explicit port). */
    @Override
    public String toString() {
        return scheme + ":" + host + ":" + port + (transport == null ? "" : "?transport=" + transport);
    }
}
