package dev.depthcast.client;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A JDK {@link WebSocket.Listener} that hands over whole messages: the JDK client delivers a large
 * message in fragments ({@code last} false until its end), which this joins. Requests the next
 * message after each fragment. One listener per socket (the JDK calls it on one thread at a time).
 */
public final class WholeMessages implements WebSocket.Listener {

    private final Consumer<byte[]> onBinary;
    private final Consumer<String> onText;
    private final java.util.function.BiConsumer<Integer, String> onClose;
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final StringBuilder text = new StringBuilder();
    private volatile WebSocket socket;

    public WholeMessages(Consumer<byte[]> onBinary, Consumer<String> onText) {
        this(onBinary, onText, (code, reason) -> {});
    }

    /** @param onClose the server's close code and reason (e.g. 4001: the node is draining, reconnect) */
    public WholeMessages(
            Consumer<byte[]> onBinary,
            Consumer<String> onText,
            java.util.function.BiConsumer<Integer, String> onClose) {
        this.onBinary = onBinary;
        this.onText = onText;
        this.onClose = onClose;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        onClose.accept(statusCode, reason);
        return null;
    }

    @Override
    public void onOpen(WebSocket ws) {
        socket = ws;
        ws.request(1);
    }

    /** The socket, once open: messages can arrive before {@code buildAsync}'s future completes. */
    public WebSocket socket() {
        return socket;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        binary.write(chunk, 0, chunk.length);
        if (last) {
            byte[] whole = binary.toByteArray();
            binary.reset();
            onBinary.accept(whole);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            String whole = text.toString();
            text.setLength(0);
            onText.accept(whole);
        }
        ws.request(1);
        return null;
    }
}
