package dev.depthcast.http;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket, for what a well-behaved client library will not do: send
 * a handshake with a bad key, or a message over the server's limit, and see the frames the server
 * answers with byte for byte (RFC 6455).
 */
final class RawWebSocket implements AutoCloseable {

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_CLOSE = 0x8;

    /** A frame from the server; {@code null} from {@link #read} means the TCP connection closed. */
    record Frame(boolean fin, int opcode, byte[] payload) {
        /** A close frame's status code, or -1 when it has none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final String response;

    private RawWebSocket(Socket socket, String response) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.response = response;
    }

    /** A valid key: 16 random-looking bytes, base64 (RFC 6455 §4.1). */
    static String key() {
        byte[] nonce = new byte[16];
        new java.util.Random(6455).nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** Sends an upgrade request for {@code path} and reads the response head (up to the blank line). */
    static RawWebSocket open(int port, String path, String key, int timeoutMs) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(timeoutMs);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n" + (key == null ? "" : "Sec-WebSocket-Key: " + key + "\r\n")
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        InputStream raw = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = raw.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return new RawWebSocket(s, head.toString(StandardCharsets.ISO_8859_1));
    }

    int status() {
        String[] parts = response.split(" ", 3);
        return parts.length >= 2 ? Integer.parseInt(parts[1]) : -1;
    }

    /** Sends one frame, masked as a client must (§5.3). */
    void send(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            throw new IllegalArgumentException("frames here stay under 64 KiB");
        }
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next frame from the server, or null once the server has closed the TCP connection. */
    Frame read() throws IOException {
        int b0;
        try {
            b0 = in.read();
        } catch (java.net.SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return null; // a reset is a close too
        }
        if (b0 < 0) {
            return null;
        }
        try {
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) length);
            if (payload.length < length) {
                throw new EOFException("frame cut short");
            }
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
        } catch (EOFException e) {
            throw new EOFException("the connection closed inside a frame");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
