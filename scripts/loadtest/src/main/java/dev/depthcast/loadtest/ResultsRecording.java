package dev.depthcast.loadtest;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * One client's results stream as a {@code .dcrec} recording (docs/recording.md), byte for byte as
 * the page's Rec button writes it (web/src/recording.js): a header map, then one {@code {t, msg}}
 * map per message, each message exactly as it came off the WebSocket. The page's header fields
 * and their order; numbers as @msgpack/msgpack writes a JavaScript number (a whole number as the
 * smallest integer, anything else as a float 64), so the page replays the file and a reader
 * cannot tell which wrote it.
 *
 * <p>The header says how many frames follow, which is known only at the end: frames go to
 * {@code FILE.part} as they arrive (memory stays flat whatever the run's length), and
 * {@link #close} writes the header and moves them behind it. A recording with no message writes
 * no file (the page refuses an empty one).
 *
 * <p>Threads: {@link #add} runs on the client's socket thread, {@link #close} on the run's; both
 * lock the recording.
 */
final class ResultsRecording implements AutoCloseable {

    static final String FORMAT = "depthcast-recording";
    static final int VERSION = 1;
    static final String EXTENSION = ".dcrec";
    /** What the page writes as its {@code userAgent}; a headless recorder names itself. */
    static final String USER_AGENT = "depthcast-loadtest (webrtc-java)";

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** JavaScript's Number.MAX_SAFE_INTEGER: above it @msgpack/msgpack writes a float. */
    private static final double MAX_SAFE_INTEGER = 9007199254740991d;

    private final Path file;
    private final Path part;
    private final String source;
    private final Clock clock;
    private final MessagePacker frames;
    private int count;
    private long firstNanos;
    private double lastT;
    private byte[] firstMessage;
    private IOException failure;
    private boolean closed;

    /**
     * @param file   where the recording goes ({@code FILE.part} holds the frames until {@link #close})
     * @param server the server the stream came from: the header's {@code source} is its origin, as
     *               the page's is {@code location.origin}
     * @param clock  the header's {@code created} is this clock's time at {@link #close}, as the page
     *               stamps the file when it saves it
     */
    ResultsRecording(Path file, URI server, Clock clock) throws IOException {
        this.file = file;
        this.part = file.resolveSibling(file.getFileName() + ".part");
        this.source = origin(server);
        this.clock = clock;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.frames = MessagePack.newDefaultPacker(new BufferedOutputStream(Files.newOutputStream(part), 1 << 16));
    }

    /** One results message as received, at {@code arrivedNanos} (System.nanoTime()). */
    synchronized void add(byte[] message, long arrivedNanos) {
        if (closed || failure != null) {
            return;
        }
        if (count == 0) {
            firstNanos = arrivedNanos;
            firstMessage = message;
        }
        // The page's t: ms since the first message arrived; never decreasing.
        double t = Math.max(lastT, (arrivedNanos - firstNanos) / 1e6);
        try {
            frames.packMapHeader(2);
            frames.packString("t");
            packNumber(frames, t);
            frames.packString("msg");
            frames.packBinaryHeader(message.length);
            frames.writePayload(message);
        } catch (IOException e) {
            failure = e; // the disk is full or gone: the client goes on, close() reports it
            return;
        }
        lastT = t;
        count++;
    }

    synchronized int frames() {
        return count;
    }

    Path file() {
        return file;
    }

    /**
     * Writes the recording (header, then the frames) and removes the part file; an empty one
     * writes nothing. Throws when a frame could not be written (the recording is then dropped).
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            frames.close();
            if (failure != null) {
                throw new IOException("recording to " + part + " failed: " + failure.getMessage(), failure);
            }
            if (count == 0) {
                return;
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                    InputStream in = Files.newInputStream(part)) {
                MessagePacker header = MessagePack.newDefaultPacker(out);
                writeHeader(header);
                header.flush();
                in.transferTo(out);
            }
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** The header map in the page's key order (its defaults, then the fields main.js adds). */
    private void writeHeader(MessagePacker p) throws IOException {
        FirstMessage first = FirstMessage.read(firstMessage);
        p.packMapHeader(10);
        p.packString("format").packString(FORMAT);
        p.packString("version");
        packNumber(p, VERSION);
        p.packString("created").packString(ISO_MILLIS.format(clock.instant()));
        p.packString("frames");
        packNumber(p, count);
        p.packString("durationMs");
        packNumber(p, lastT);
        p.packString("protocol");
        packNumber(p, first.schema());
        p.packString("source").packString(source);
        p.packString("userAgent").packString(USER_AGENT);
        p.packString("model").packString(first.model());
        p.packString("backend").packString(first.backend());
    }

    /** A JavaScript number as @msgpack/msgpack encodes it: a safe integer as the smallest int, else float 64. */
    static void packNumber(MessagePacker p, double value) throws IOException {
        if (value == Math.rint(value) && Math.abs(value) <= MAX_SAFE_INTEGER) {
            p.packLong((long) value);
        } else {
            p.packDouble(value);
        }
    }

    /** scheme://host[:port], the port left out when it is the scheme's default (as location.origin). */
    static String origin(URI server) {
        String scheme = server.getScheme() == null ? "http" : server.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = server.getPort();
        boolean defaultPort =
                port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + server.getHost() + (defaultPort ? "" : ":" + port);
    }

    /**
     * What the header takes from the first message, as the page does: its {@code v} (1 when it has
     * none or is not msgpack), and the stream's {@code model} and {@code backend} ("" when absent).
     */
    record FirstMessage(double schema, String model, String backend) {

        static FirstMessage read(byte[] message) {
            double schema = 1;
            String model = "";
            String backend = "";
            try (MessageUnpacker u = MessagePack.newDefaultUnpacker(message)) {
                if (u.hasNext() && u.getNextFormat().getValueType() == ValueType.MAP) {
                    int n = u.unpackMapHeader();
                    for (int i = 0; i < n; i++) {
                        if (u.getNextFormat().getValueType() != ValueType.STRING) {
                            u.skipValue();
                            u.skipValue();
                            continue;
                        }
                        String key = u.unpackString();
                        ValueType type = u.getNextFormat().getValueType();
                        if (key.equals("v") && type == ValueType.INTEGER) {
                            schema = u.unpackLong();
                        } else if (key.equals("v") && type == ValueType.FLOAT) {
                            schema = u.unpackDouble();
                        } else if (key.equals("model") && type == ValueType.STRING) {
                            model = u.unpackString();
                        } else if (key.equals("backend") && type == ValueType.STRING) {
                            backend = u.unpackString();
                        } else {
                            u.skipValue();
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                return new FirstMessage(1, "", ""); // not msgpack: the page says schema 1 too
            }
            return new FirstMessage(schema, model, backend);
        }
    }
}
