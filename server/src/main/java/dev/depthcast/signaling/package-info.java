/**
 * The HTTP API of docs/protocol.md: sessions (offer/answer, trickle ICE both ways, admission),
 * the results WebSocket upgrade, stats. {@code SessionFactory} assembles a session's parts (placement,
 * link, results socket, mailbox, peer connection); {@code SessionRegistry} admits, looks up, reaps
 * vanished browsers and closes. Threads: Vert.x event loops; WebRTC calls on worker threads.
 */
package dev.depthcast.signaling;
