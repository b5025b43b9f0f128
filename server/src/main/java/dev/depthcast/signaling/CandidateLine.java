package dev.depthcast.signaling;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An ICE candidate attribute as browsers write it (RFC 8839 §5.1), parsed and checked:
 * {@code candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
 * [raddr <addr>] [rport <port>] *(<extension-name> <value>)} — host, srflx, prflx, relay; UDP or TCP
 * (with {@code tcptype}); IPv4, IPv6 or an mDNS {@code .local} name.
 *
 * <p>A browser's candidate JSON is not the server library's candidate object, and the native
 * library fails on malformed input in ways a client must never reach (an exception with internals,
 * or worse). We parse it ourselves so malformed input gets a precise 400 instead.
 */
record CandidateLine(
        String foundation,
        int component,
        String transport,
        long priority,
        String address,
        int port,
        String type,
        String relatedAddress,
        int relatedPort,
        Map<String, String> extensions) {

    /** Longest candidate accepted; Chromium's longest (IPv6 srflx with every extension) is under 200. */
    public static final int MAX_LENGTH = 512;

    private static final int MAX_EXTENSIONS = 16;
    private static final java.util.regex.Pattern EXTENSION_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9-]{1,32}");
    private static final java.util.regex.Pattern EXTENSION_VALUE =
            java.util.regex.Pattern.compile("[A-Za-z0-9+/=._:-]{1,256}");

    public static CandidateLine parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("candidate is missing");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "candidate is " + text.length() + " characters, more than " + MAX_LENGTH);
        }
        // Same reason as SdpGrammar: libwebrtc quotes a refused candidate into a native format string.
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' || c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(
                        c == '%'
                                ? "candidate contains a percent sign"
                                : "candidate contains a control or non-ASCII character");
            }
        }
        String line = text.trim();
        if (line.startsWith("a=")) {
            line = line.substring(2);
        }
        if (!line.regionMatches(true, 0, "candidate:", 0, 10)) {
            throw new IllegalArgumentException(
                    "candidate must start with 'candidate:', got '" + abbreviate(text) + "'");
        }
        String[] f = line.substring(10).trim().split("\\s+");
        if (f.length < 8) {
            throw new IllegalArgumentException(
                    "candidate has " + f.length + " fields, needs at least 8: '" + abbreviate(text) + "'");
        }
        String foundation = f[0];
        if (foundation.isEmpty() || foundation.length() > 32 || !foundation.matches("[A-Za-z0-9+/]+")) {
            throw new IllegalArgumentException("bad candidate foundation '" + abbreviate(foundation) + "'");
        }
        int component = (int) number(f[1], "component", 1, 256);
        String transport = f[2].toLowerCase(Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            throw new IllegalArgumentException(
                    "candidate transport must be udp or tcp, got '" + abbreviate(f[2]) + "'");
        }
        long priority = number(f[3], "priority", 0, 0xFFFFFFFFL);
        String address = f[4];
        checkAddress(address);
        int port = (int) number(f[5], "port", 0, 65535);
        if (!f[6].equals("typ")) {
            throw new IllegalArgumentException("expected 'typ' after the port, got '" + abbreviate(f[6]) + "'");
        }
        String type = f[7].toLowerCase(Locale.ROOT);
        if (!type.equals("host") && !type.equals("srflx") && !type.equals("prflx") && !type.equals("relay")) {
            throw new IllegalArgumentException("unknown candidate type '" + abbreviate(f[7]) + "'");
        }
        String raddr = null;
        int rport = -1;
        Map<String, String> ext = new LinkedHashMap<>();
        int i = 8;
        if ((f.length - i) % 2 != 0) {
            throw new IllegalArgumentException(
                    "candidate extensions must be name/value pairs: '" + abbreviate(text) + "'");
        }
        if ((f.length - i) / 2 > MAX_EXTENSIONS) {
            throw new IllegalArgumentException("candidate has more than " + MAX_EXTENSIONS + " extensions");
        }
        for (; i + 1 < f.length; i += 2) {
            String name = f[i];
            String value = f[i + 1];
            if (!EXTENSION_NAME.matcher(name).matches()
                    || !EXTENSION_VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("candidate extension '" + abbreviate(name)
                        + "' is not '<name> <value>' of letters, digits and + / = . _ : -");
            }
            switch (name) {
                case "raddr" -> {
                    checkAddress(value);
                    raddr = value;
                }
                case "rport" -> rport = (int) number(value, "rport", 0, 65535);
                default -> ext.put(name, value);
            }
        }
        if (transport.equals("tcp")) {
            String tcpType = ext.get("tcptype");
            if (tcpType != null && !tcpType.equals("active") && !tcpType.equals("passive") && !tcpType.equals("so")) {
                throw new IllegalArgumentException("unknown tcptype '" + abbreviate(tcpType) + "'");
            }
        }
        return new CandidateLine(
                foundation, component, transport, priority, address, port, type, raddr, rport, Map.copyOf(ext));
    }

    /** True for an mDNS-obfuscated host address (Chromium hides local IPs as {@code <uuid>.local}). */
    public boolean isMdns() {
        return address.toLowerCase(Locale.ROOT).endsWith(".local");
    }

    private static void checkAddress(String a) {
        boolean ipv4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (ipv4) {
            for (String part : a.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("bad IPv4 address '" + a + "'");
                }
            }
            return;
        }
        boolean ipv6 = a.contains(":") && a.matches("[0-9A-Fa-f:.%a-zA-Z]+") && a.length() <= 64;
        boolean hostname =
                a.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")
                        && a.length() <= 253;
        if (!ipv6 && !hostname) {
            throw new IllegalArgumentException("bad candidate address '" + abbreviate(a) + "'");
        }
    }

    private static long number(String s, String what, long min, long max) {
        try {
            long v = Long.parseLong(s);
            if (v < min || v > max) {
                throw new IllegalArgumentException("candidate " + what + " " + v + " out of range " + min + ".." + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("candidate " + what + " is not a number: '" + abbreviate(s) + "'");
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
