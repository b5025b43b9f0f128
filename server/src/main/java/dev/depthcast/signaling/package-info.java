/**
 * The HTTP API of docs/protocol.md: sessions (offer/answer, trickle ICE both ways, admission),
 * the results WebSocket upgrade, stats. {@code SessionRegistry} opens and closes a session's parts
 * and reaps vanished browsers. Threads: Vert.x event loops; WebRTC calls on worker threads.
 */
package dev.depthcast.signaling;
