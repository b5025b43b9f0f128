/**
 * WebRTC in (webrtc-java): one peer connection per browser ({@code PeerSession}), offer/answer steps
 * as futures ({@code Negotiation}), and {@code FrameCopier}, which copies each decoded frame into
 * the client's mailbox and returns. Threads: libwebrtc's signaling thread and one decoder thread
 * per stream; the blocking calls here run on Vert.x worker threads.
 */
package dev.depthcast.webrtc;
