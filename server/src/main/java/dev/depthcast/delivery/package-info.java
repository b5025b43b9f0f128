/**
 * The delivery stage, from a finished batch to each client's socket: {@code ResultDelivery} owns the
 * fan-out thread, assembles and encodes each client's message, drops results of clients that left
 * and tells clients of a failed batch a short reason; {@code WebSocketResultSink} sends the newest
 * result only ({@code LatestWins}). Threads: the fan-out thread hands over; each socket's Vert.x
 * event loop writes.
 */
package dev.depthcast.delivery;
