package dev.depthcast.schedule;

import dev.depthcast.delivery.Recipient;
import dev.depthcast.ingest.LatestFrameMailbox;
import dev.depthcast.process.DepthStabiliser;
import dev.depthcast.process.UnprojectParams;

/**
 * What the executor knows of a client: where its frames wait, how to unproject them, where its
 * results go. Nothing of WebRTC or HTTP.
 *
 * @param params the configured unprojection; {@link #paramsNow()} is what the next frame gets
 * @param stabiliser the session's depth stabiliser, or null
 */
public record ClientSlot(
        String id,
        LatestFrameMailbox mailbox,
        UnprojectParams params,
        Recipient recipient,
        DepthStabiliser stabiliser) {

    /** A client whose depth no stabiliser maps. */
    public ClientSlot(String id, LatestFrameMailbox mailbox, UnprojectParams params, Recipient recipient) {
        this(id, mailbox, params, recipient, null);
    }

    /**
     * {@code params} at the stride the client's link can carry now (link adaptation), or every
     * grid point while its frames go out dense (the video track's own congestion control sets
     * their bitrate).
     */
    public UnprojectParams paramsNow() {
        return recipient.dense().active()
                ? params.withStride(1)
                : recipient.link().params(params);
    }
}
