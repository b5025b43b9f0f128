package dev.depthcast.signaling;

import dev.depthcast.out.WebSocketResultSink;
import dev.depthcast.schedule.ClientSlot;
import dev.depthcast.webrtc.PeerSession;

import java.util.concurrent.atomic.AtomicInteger;

/** One connected browser: its peer connection in, its slot in the executor, its results socket out. */
record Session(String id, OfferSdp offer, PeerSession peer, ClientSlot slot, WebSocketResultSink sink,
               long createdNanos, AtomicInteger remoteCandidates) {
}
