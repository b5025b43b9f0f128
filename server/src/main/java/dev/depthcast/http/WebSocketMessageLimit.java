package dev.depthcast.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Assembles a WebSocket client's text messages from their frames, up to {@link #MAX_MESSAGE_BYTES},
 * and closes the socket with {@link #CLOSE_TOO_BIG} and a reason naming the limit when a message
 * grows past it (docs/protocol.md). Vert.x's own message limit is not used for this: past it Vert.x
 * drops the connection (one big frame) or the message (many small frames) without a close frame,
 * and the client never learns why. Bytes are counted as frames arrive, so a message over the limit
 * is never held whole. Binary messages are counted and dropped: clients send only text.
 *
 * <p>Runs on the socket's event loop (install it as the socket's only frame handler).
 */
public final class WebSocketMessageLimit implements Handler<WebSocketFrame> {

    /** The largest message a client may send: results-socket clients send only small JSON pings and acks. */
    public static final int MAX_MESSAGE_BYTES = 4096;
    /**
     * The frame size Vert.x (Netty) accepts before this class sees a frame: above the message
     * limit, so that a too-big message reaches this class and gets its close frame, and small
     * enough that no connection makes the server hold more. A single frame over it is still cut
     * off by Netty without a close frame.
     */
    public static final int MAX_FRAME_BYTES = 64 * 1024;
    /** RFC 6455 §7.4.1: the message is too big to process. */
    public static final short CLOSE_TOO_BIG = 1009;

    private final ServerWebSocket socket;
    private final Consumer<String> onText;
    /** The text message being assembled; null while a binary message arrives. */
    private Buffer text;

    private int messageBytes;
    private boolean closed;

    private WebSocketMessageLimit(ServerWebSocket socket, Consumer<String> onText) {
        this.socket = socket;
        this.onText = onText;
    }

    /** Hands {@code socket}'s whole text messages to {@code onText}, closing it on one over the limit. */
    public static void install(ServerWebSocket socket, Consumer<String> onText) {
        socket.frameHandler(new WebSocketMessageLimit(socket, onText));
    }

    @Override
    public void handle(WebSocketFrame frame) {
        if (closed || !(frame.isText() || frame.isBinary() || frame.isContinuation())) {
            return; // control frames: Vert.x answers pings and close frames itself
        }
        if (!frame.isContinuation()) {
            text = frame.isText() ? Buffer.buffer() : null;
            messageBytes = 0;
        }
        Buffer data = frame.binaryData();
        messageBytes += data.length();
        if (messageBytes > MAX_MESSAGE_BYTES) {
            closed = true;
            text = null;
            socket.close(CLOSE_TOO_BIG, "messages to the server are at most " + MAX_MESSAGE_BYTES + " bytes");
            return;
        }
        if (text != null) {
            text.appendBuffer(data);
            if (frame.isFinal()) {
                String message = text.toString(StandardCharsets.UTF_8);
                text = null;
                onText.accept(message);
            }
        }
    }
}
