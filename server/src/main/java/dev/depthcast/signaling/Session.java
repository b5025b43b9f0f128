package dev.depthcast.signaling;

import dev.depthcast.delivery.DenseChannel;
import dev.depthcast.delivery.WebSocketResultSink;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.metrics.ClientDrops;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.UnprojectParams;
import dev.depthcast.webrtc.PeerSession;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connected browser: its peer connection in, the mailbox its frames wait in, its results
 * socket out, its drop counts, how many remote candidates it sent (bounded per session), how its
 * frames are unprojected (its camera's field of view), its depth stabiliser (null: none) and its
 * dense channel.
 */
record Session(
        String id,
        OfferSdp offer,
        PeerSession peer,
        LatestFrameMailbox mailbox,
        WebSocketResultSink sink,
        ClientDrops drops,
        long createdNanos,
        AtomicInteger remoteCandidates,
        UnprojectParams params,
        DepthStabiliser stabiliser,
        DenseChannel dense) {}
