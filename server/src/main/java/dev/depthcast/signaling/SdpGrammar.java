package dev.depthcast.signaling;

import static java.util.Map.entry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A strict check of an SDP offer, in Java, before libwebrtc sees one byte of it.
 *
 * <p>Why: libwebrtc's parse errors quote the offending line, and webrtc-java hands that text to a
 * printf-style format in native code — {@code a=fmtp:%p} returned native pointers and
 * {@code a=fmtp:%n} crashed the JVM. So nothing that libwebrtc could refuse may reach it:
 * <ul>
 *   <li>RFC 8866 line syntax: {@code <type>=<value>}, known types in RFC order, LF or CRLF ends;</li>
 *   <li>characters: printable ASCII only, and never {@code %} (no format directive can get through);</li>
 *   <li>every attribute libwebrtc parses ({@code webrtc_sdp.cc}) checked against its form; other
 *       attributes (libwebrtc skips them) need a token name and pass the character check;</li>
 *   <li>limits on length, lines, line length, m-lines, formats and candidates.</li>
 * </ul>
 * Failures are {@link IllegalArgumentException}s with a short reason naming the line number and
 * type, never echoing the line (the reason goes back to the client as a 400).
 */
final class SdpGrammar {

    static final int MAX_LENGTH = 60_000;
    static final int MAX_LINES = 1_000;
    static final int MAX_LINE_LENGTH = 1_024;
    static final int MAX_MEDIA = 16;
    static final int MAX_FORMATS = 64;
    static final int MAX_CANDIDATES = 64;

    private static final String TOKEN = "[A-Za-z0-9!#$&'*+.^_`{|}~-]+";
    private static final String ICE_CHARS = "[A-Za-z0-9+/]";
    private static final String PT = "(?:[0-9]|[1-9][0-9]|1[01][0-9]|12[0-7])";
    private static final String NUM = "[0-9]{1,10}";
    private static final String PORT = "[0-9]{1,5}";
    private static final String ADDRESS = "[A-Za-z0-9.:_-]{1,253}";
    private static final String MSID_ID = "[A-Za-z0-9{}_.+/=*-]{1,128}";
    private static final String URI = "[A-Za-z0-9:/._#?&=~+,;@!$'()*\\[\\]-]{1,256}";
    /** Marks a value-less attribute (a flag such as a=sendonly). */
    private static final Pattern FLAG = Pattern.compile("");

    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}");

    /** Attributes libwebrtc parses, with the form it expects ({@code null}: a flag, no value). */
    private static final Map<String, Pattern> KNOWN = Map.ofEntries(
            flag("extmap-allow-mixed"),
            flag("bundle-only"),
            flag("rtcp-mux"),
            flag("rtcp-rsize"),
            flag("rtcp-mux-only"),
            flag("ice-lite"),
            flag("end-of-candidates"),
            flag("sendonly"),
            flag("recvonly"),
            flag("sendrecv"),
            flag("inactive"),
            flag("remote-net-estimate"),
            form("group", "[A-Za-z0-9_-]{1,32}( " + TOKEN + ")*"),
            form("mid", "[A-Za-z0-9_.+-]{1,32}"),
            form("msid", MSID_ID + "( " + MSID_ID + ")?"),
            form("msid-semantic", " ?[A-Za-z]{1,16}( " + MSID_ID + ")*"),
            form("ssrc", NUM + " [A-Za-z0-9_-]{1,32}(:[!-~]{1,256}( [!-~]{1,256})?)?"),
            form("ssrc-group", "[A-Za-z0-9_-]{1,16}( " + NUM + "){1,32}"),
            form("extmap", "[0-9]{1,5}(/(sendrecv|sendonly|recvonly|inactive))? " + URI + "( [!-~]{1,256})*"),
            form("fingerprint", "[A-Za-z0-9-]{1,16} [0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}"),
            form("setup", "actpass|active|passive|holdconn"),
            form("rtpmap", PT + " [A-Za-z0-9_.-]{1,32}/[0-9]{1,7}(/[0-9]{1,2})?"),
            form("fmtp", PT + " [A-Za-z0-9_.=;/+:, -]{1,512}"),
            form("rtcp-fb", "(" + PT + "|\\*) [A-Za-z0-9_-]{1,32}( [A-Za-z0-9_.=-]{1,32}){0,2}"),
            form("packetization", PT + " [A-Za-z0-9_-]{1,32}"),
            form("rtcp", PORT + "( IN IP[46] " + ADDRESS + ")?"),
            form("rtcp-xr", "[A-Za-z0-9=:;,_. -]{0,256}"),
            form("ice-ufrag", ICE_CHARS + "{4,256}"),
            form("ice-pwd", ICE_CHARS + "{22,256}"),
            form("ice-options", "[A-Za-z0-9+/_.-]{1,64}( [A-Za-z0-9+/_.-]{1,64}){0,15}"),
            form("sctp-port", PORT),
            form("max-message-size", "[0-9]{1,12}"),
            form("sctpmap", PORT + " [A-Za-z0-9_-]{1,32}( [0-9]{1,6})?"),
            form("rid", "[A-Za-z0-9_-]{1,32} (send|recv)( [A-Za-z0-9_=;,.-]{1,256})?"),
            form("simulcast", "(send|recv) [A-Za-z0-9_;,~-]{1,256}( (send|recv) [A-Za-z0-9_;,~-]{1,256})?"),
            form("x-google-flag", "[A-Za-z0-9_-]{1,32}"),
            form("ptime", "[0-9]{1,6}"),
            form("maxptime", "[0-9]{1,6}"),
            form("framerate", "[0-9]{1,4}(\\.[0-9]{1,4})?"),
            form("crypto", "[0-9]{1,3} [A-Za-z0-9_]{1,64} inline:[A-Za-z0-9+/=|:]{1,256}( [!-~]{1,64})*"));

    private static final Pattern ORIGIN = Pattern.compile("[!-~]{1,128} [0-9]{1,20} [0-9]{1,20} IN IP[46] " + ADDRESS);
    private static final Pattern TIMING = Pattern.compile("[0-9]{1,20} [0-9]{1,20}");
    private static final Pattern CONNECTION = Pattern.compile("IN IP[46] " + ADDRESS + "(/[0-9]{1,3}){0,2}");
    private static final Pattern BANDWIDTH = Pattern.compile("[A-Za-z0-9_-]{1,16}:[0-9]{1,10}");
    private static final Pattern MEDIA = Pattern.compile("(audio|video|text|application|message) " + PORT
            + "(/[0-9]{1,3})? [A-Za-z0-9/._-]{1,32}( [A-Za-z0-9._-]{1,32})+");

    /** RFC 8866 §5 order of the session part; t and r share a rank because they alternate. */
    private static final String SESSION_ORDER = "vosiuepcbtzka";

    private static final String MEDIA_ORDER = "micbka";
    private static final String SESSION_REPEATABLE = "epbtra";
    private static final String MEDIA_REPEATABLE = "cba";

    private SdpGrammar() {}

    /** What the grammar learnt on the way, for the checks that follow it. */
    record Outline(int mediaCount, List<String> mids) {}

    static Outline check(String sdp) {
        if (sdp.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("offer SDP is " + sdp.length() + " characters, more than " + MAX_LENGTH);
        }
        List<String> lines = splitLines(sdp);
        if (lines.size() > MAX_LINES) {
            throw new IllegalArgumentException("offer SDP has " + lines.size() + " lines, more than " + MAX_LINES);
        }
        int media = 0;
        int candidates = 0;
        int lastRank = -1;
        char lastType = 0;
        List<String> mids = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int number = i + 1;
            if (i == 0 && !line.equals("v=0")) {
                throw new IllegalArgumentException("not an SDP offer: it must begin with 'v=0'");
            }
            checkCharacters(line, number);
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw bad(number, "is not '<letter>=<value>'");
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (i == 0) {
                lastRank = 0;
                lastType = 'v';
                continue;
            }
            if (value.startsWith(" ") && type != 'a') {
                throw bad(number, type + "= value starts with a space");
            }
            if (type == 'm') {
                if (++media > MAX_MEDIA) {
                    throw new IllegalArgumentException("offer has more than " + MAX_MEDIA + " m-lines");
                }
                if (!MEDIA.matcher(value).matches()) {
                    throw bad(number, "m= must be '<media> <port> <proto> <formats>' (audio, video, application…)");
                }
                if (value.split(" ").length - 3 > MAX_FORMATS) {
                    throw bad(number, "m= lists more than " + MAX_FORMATS + " formats");
                }
                lastRank = 0;
                lastType = 'm';
                continue;
            }
            String order = media == 0 ? SESSION_ORDER : MEDIA_ORDER;
            int rank = order.indexOf(type == 'r' ? 't' : type);
            if (rank < 0) {
                throw bad(
                        number,
                        "a " + type + "= line is not allowed "
                                + (media == 0 ? "before the first m= line" : "inside a media section"));
            }
            String repeatable = media == 0 ? SESSION_REPEATABLE : MEDIA_REPEATABLE;
            if (rank < lastRank || (rank == lastRank && type == lastType && repeatable.indexOf(type) < 0)) {
                throw bad(number, type + "= is out of order or repeated (RFC 8866 §5 order)");
            }
            lastRank = rank;
            lastType = type;
            switch (type) {
                case 'o' -> require(ORIGIN, value, number, "o= must be '<user> <id> <version> IN IP4|IP6 <address>'");
                case 't' -> require(TIMING, value, number, "t= must be '<start> <stop>'");
                case 'c' -> require(CONNECTION, value, number, "c= must be 'IN IP4|IP6 <address>'");
                case 'b' -> require(BANDWIDTH, value, number, "b= must be '<type>:<kbps>'");
                case 'a' -> {
                    String name = checkAttribute(value, number);
                    if (name.equals("candidate") && ++candidates > MAX_CANDIDATES) {
                        throw new IllegalArgumentException("offer has more than " + MAX_CANDIDATES + " candidates");
                    }
                    if (name.equals("mid") && media > 0) {
                        mids.add(value.substring(4));
                    }
                }
                default -> {
                    if (value.isEmpty() && type != 's') {
                        throw bad(number, type + "= is empty");
                    }
                }
            }
            if (type == 's' && value.isEmpty()) {
                throw bad(number, "s= is empty (use 's=-')");
            }
        }
        if (lines.size() < 4 || !lines.get(1).startsWith("o=") || !lines.get(2).startsWith("s=")) {
            throw new IllegalArgumentException("offer SDP must begin with v=, o= and s= lines");
        }
        if (lines.stream().noneMatch(l -> l.startsWith("t="))) {
            throw new IllegalArgumentException("offer SDP has no t= line");
        }
        return new Outline(media, List.copyOf(mids));
    }

    /** Splits on LF (an optional CR before it); a final line without a newline is accepted. */
    private static List<String> splitLines(String sdp) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < sdp.length()) {
            int nl = sdp.indexOf('\n', start);
            int end = nl < 0 ? sdp.length() : nl;
            int lineEnd = end > start && sdp.charAt(end - 1) == '\r' ? end - 1 : end;
            String line = sdp.substring(start, lineEnd);
            if (line.isEmpty()) {
                throw bad(lines.size() + 1, "is empty");
            }
            lines.add(line);
            if (lines.size() > MAX_LINES) {
                break;
            }
            start = nl < 0 ? sdp.length() : nl + 1;
        }
        return lines;
    }

    private static void checkCharacters(String line, int number) {
        if (line.length() > MAX_LINE_LENGTH) {
            throw bad(number, "is longer than " + MAX_LINE_LENGTH + " characters");
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '%') {
                throw bad(number, "contains a percent sign, which SDP offers never need");
            }
            if (c < 0x20 || c == 0x7f) {
                throw bad(number, "contains a control character");
            }
            if (c > 0x7e) {
                throw bad(number, "contains a non-ASCII character");
            }
        }
    }

    /** Checks an a= value; returns the attribute name. */
    private static String checkAttribute(String value, int number) {
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        if (!ATTRIBUTE_NAME.matcher(name).matches()) {
            throw bad(number, "a= attribute name must be a token of at most 64 characters");
        }
        String attributeValue = colon < 0 ? null : value.substring(colon + 1);
        if (name.equals("candidate")) {
            if (attributeValue == null) {
                throw bad(number, "a=candidate has no value");
            }
            try {
                CandidateLine.parse("candidate:" + attributeValue);
            } catch (IllegalArgumentException e) {
                throw bad(number, e.getMessage());
            }
            return name;
        }
        Pattern form = KNOWN.get(name);
        if (form == null) {
            return name;
        }
        if (form == FLAG) {
            if (attributeValue != null) {
                throw bad(number, "a=" + name + " takes no value");
            }
        } else if (attributeValue == null || !form.matcher(attributeValue).matches()) {
            throw bad(number, "a=" + name + " is not in its expected form");
        }
        return name;
    }

    private static void require(Pattern p, String value, int number, String reason) {
        if (!p.matcher(value).matches()) {
            throw bad(number, reason);
        }
    }

    private static IllegalArgumentException bad(int line, String reason) {
        return new IllegalArgumentException("SDP line " + line + " " + reason);
    }

    private static Map.Entry<String, Pattern> flag(String name) {
        return entry(name, FLAG);
    }

    private static Map.Entry<String, Pattern> form(String name, String regex) {
        return entry(name, Pattern.compile(regex));
    }
}
