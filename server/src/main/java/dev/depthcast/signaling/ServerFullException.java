package dev.depthcast.signaling;

/** Admission refused: {@code --max-clients} sessions are open (a 503 with this reason). */
final class ServerFullException extends RuntimeException {

    ServerFullException(String message) {
        super(message);
    }
}
