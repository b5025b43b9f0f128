package dev.depthcast.signaling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded mutator over real offers and candidates: the edits a fuzzer makes (format directives,
 * control and non-ASCII bytes, deleted / repeated / swapped / spliced lines, truncation, tokens
 * replaced by hostile values) plus libwebrtc's own attribute names with values that break their
 * forms. Deterministic for a seed, so a failing case can be replayed.
 */
final class SdpMutator {

    private static final String[] FORMATS = {
        "%p", "%n", "%s", "%x", "%08x.%08x", "%1$s", "%999999d", "%%", "%n%n%n%n", "%p.%p.%p.%p", "%c", "%ls"
    };
    private static final String[] TOKENS = {
        "",
        " ",
        "0",
        "-1",
        "65536",
        "4294967296",
        "99999999999999999999",
        "1.5",
        "NaN",
        "IN",
        "IP7",
        "UDP/TLS/RTP/SAVPF",
        "typ",
        "host",
        "relay",
        "::",
        "0.0.0.0",
        "256.1.1.1",
        "a.local",
        "x".repeat(300),
        "9".repeat(40),
        "sha-256",
        "actpass",
        "BUNDLE",
        "\\",
        "\"",
        "'",
        "<script>",
        "{}",
        "[]",
        ":",
        "/",
        ";",
        "=",
        "*",
        "+",
        ":::::",
        "a=",
        "m=",
        "\r",
        "\n",
        "\u0000",
        "\u00e9",
        "\uffff",
        "\ud83d\ude00",
        "\t",
        "\u007f"
    };
    private static final String[] ATTRIBUTES = {
        "fmtp",
        "rtpmap",
        "rtcp-fb",
        "extmap",
        "ssrc",
        "ssrc-group",
        "msid",
        "msid-semantic",
        "group",
        "mid",
        "setup",
        "fingerprint",
        "ice-ufrag",
        "ice-pwd",
        "ice-options",
        "candidate",
        "rtcp",
        "sctp-port",
        "sctpmap",
        "max-message-size",
        "rid",
        "simulcast",
        "packetization",
        "sendonly",
        "rtcp-mux",
        "crypto",
        "framerate",
        "ptime",
        "x-google-flag",
        "extmap-allow-mixed",
        "end-of-candidates"
    };

    private final Random random;

    SdpMutator(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    /** One to three edits of a real offer. */
    String offer(List<String> corpus) {
        String sdp = pick(corpus);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            sdp = editOffer(sdp, corpus);
        }
        return sdp;
    }

    private String editOffer(String sdp, List<String> corpus) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        List<String> lines = new ArrayList<>(Arrays.asList(sdp.split("\r?\n", -1)));
        if (lines.size() > 1 && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        int at = random.nextInt(lines.size());
        String line = lines.get(at);
        switch (random.nextInt(14)) {
            case 0 ->
                lines.set(
                        at,
                        line.substring(0, Math.min(line.length(), 2 + random.nextInt(Math.max(1, line.length()))))
                                + pick(FORMATS));
            case 1 -> lines.set(at, insert(line, pick(FORMATS)));
            case 2 -> lines.set(at, insert(line, pick(TOKENS)));
            case 3 -> lines.set(at, replaceToken(line, random.nextBoolean() ? pick(TOKENS) : pick(FORMATS)));
            case 4 -> lines.remove(at);
            case 5 -> lines.add(at, line);
            case 6 -> {
                int other = random.nextInt(lines.size());
                lines.set(at, lines.get(other));
                lines.set(other, line);
            }
            case 7 -> {
                List<String> donor = Arrays.asList(pick(corpus).split("\r?\n"));
                lines.add(at, pick(donor));
            }
            case 8 -> {
                return String.join(eol, lines).substring(0, random.nextInt(sdp.length()));
            }
            case 9 -> lines.set(at, (char) ('a' + random.nextInt(26)) + line.substring(Math.min(1, line.length())));
            case 10 -> lines.add(at, "a=" + pick(ATTRIBUTES) + (random.nextInt(4) == 0 ? "" : ":" + junkValue()));
            case 11 -> {
                int times = 1 + random.nextInt(random.nextBoolean() ? 10 : 1200);
                for (int i = 0; i < times; i++) {
                    lines.add(at, line);
                }
            }
            case 12 -> lines.set(at, line + pick(new String[] {"\r", "\r\r", " ", "\u0000", "\n\r"}));
            default -> lines.set(at, flipByte(line));
        }
        return String.join(eol, lines) + eol;
    }

    /** A candidate string: a real one, edited once or twice. */
    String candidate(List<String> corpus) {
        String c = pick(corpus);
        int edits = 1 + random.nextInt(2);
        for (int i = 0; i < edits; i++) {
            c = switch (random.nextInt(7)) {
                case 0 -> insert(c, pick(FORMATS));
                case 1 -> replaceToken(c, pick(TOKENS));
                case 2 -> replaceToken(c, pick(FORMATS));
                case 3 -> c.substring(0, random.nextInt(c.length() + 1));
                case 4 ->
                    c + " " + pick(new String[] {"generation", "ufrag", "network-id", "raddr", "rport", "tcptype", "x"})
                            + " " + (random.nextBoolean() ? pick(TOKENS) : pick(FORMATS));
                case 5 -> flipByte(c);
                default -> c.replace("udp", pick(new String[] {"UDP", "tcp", "sctp", "%s", ""}));
            };
        }
        return c;
    }

    String junkValue() {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + random.nextInt(4);
        for (int i = 0; i < parts; i++) {
            if (i > 0) {
                sb.append(random.nextBoolean() ? " " : "");
            }
            sb.append(random.nextInt(3) == 0 ? pick(FORMATS) : pick(TOKENS));
        }
        return sb.toString();
    }

    private String insert(String s, String what) {
        int at = random.nextInt(s.length() + 1);
        return s.substring(0, at) + what + s.substring(at);
    }

    private String replaceToken(String line, String with) {
        String[] parts = line.split(" ", -1);
        parts[random.nextInt(parts.length)] = with;
        return String.join(" ", parts);
    }

    private String flipByte(String s) {
        if (s.isEmpty()) {
            return s;
        }
        char[] chars = s.toCharArray();
        int at = random.nextInt(chars.length);
        chars[at] = (char) random.nextInt(random.nextBoolean() ? 0x80 : 0x10000);
        return new String(chars);
    }
}
