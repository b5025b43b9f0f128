/**
 * The delivery stage, from a finished batch to each client's socket: {@code ResultDelivery} (the
 * executor's {@code BatchOutcomes}) owns the fan-out thread, started in {@code start()}, assembles and encodes each client's message (at the level its link is at), drops
 * results of clients that left and tells clients of a failed batch a short reason;
 * {@code WebSocketResultSink} sends the newest result only ({@code LatestWins}) and only when the
 * client has room in its ack window; {@code ClientLink} holds that window ({@code AckWindow}), the
 * client's link adaptation ({@code LinkAdapter} over a {@code StrideLadder}) and its delivery
 * meters. Threads: the fan-out thread hands over; each socket's Vert.x event loop writes and reads
 * acks; the executor reads the stride for a client's next frame.
 */
package dev.depthcast.delivery;
