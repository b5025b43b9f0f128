package dev.depthcast.webrtc;

import java.util.stream.Collectors;

/**
 * {@code --announced-ip}: behind a 1:1 NAT the server's host candidates carry a private address no
 * browser can reach; the NAT forwards the public address's ports to the same ports here. So each
 * host candidate of the announced address's family is handed out with the public address instead
 * (the candidate's port is kept). Relay and reflexive candidates already carry addresses others
 * can reach and stay as they are; so do host candidates of the other family (IPv6 is rarely NATed).
 *
 * <p>Candidates are lines we parse, not opaque strings: rewriting one as text we do not understand
 * would hand browsers a candidate nobody checked. Input here is libwebrtc's own output,
 * {@code candidate:F C TRANSPORT PRIO ADDRESS PORT typ TYPE ...}.
 */
public final class AnnouncedAddress {

    private final String address;
    private final boolean ipv6;

    /** @param address an IPv4 or IPv6 literal (checked by {@code IceConfig}) */
    public AnnouncedAddress(String address) {
        this.address = address;
        this.ipv6 = address.indexOf(':') >= 0;
    }

    public String address() {
        return address;
    }

    /** One candidate attribute ({@code candidate:…}, with or without {@code a=}), rewritten if it is a host candidate. */
    public String candidate(String line) {
        String[] f = line.split(" ", -1);
        // f[0] = [a=]candidate:FOUNDATION, f[4] = address, f[6] = "typ", f[7] = type
        if (f.length < 8 || !f[0].contains("candidate:") || !"typ".equals(f[6]) || !"host".equals(f[7])) {
            return line;
        }
        if ((f[4].indexOf(':') >= 0) != ipv6 || f[4].endsWith(".local")) {
            return line;
        }
        f[4] = address;
        return String.join(" ", f);
    }

    /** Every {@code a=candidate:} line of an SDP, rewritten; other lines untouched. Keeps CRLF line ends. */
    public String sdp(String sdp) {
        return sdp.lines()
                .map(l -> l.startsWith("a=candidate:") ? candidate(l) : l)
                .collect(Collectors.joining("\r\n", "", sdp.endsWith("\n") ? "\r\n" : ""));
    }
}
