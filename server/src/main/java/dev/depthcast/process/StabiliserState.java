package dev.depthcast.process;

/**
 * A session's depth stabiliser after a frame (the message's {@code stab}, docs/protocol.md).
 *
 * @param scale scale of the latest fit mapping the frame's model output onto the session's reference
 * @param shift its shift, in the reference's units
 * @param resets how many times the reference was (re)set: 1 after the first frame
 * @param failed fits that failed (a blank frame, one that disagrees with the reference) and kept the previous mapping
 */
public record StabiliserState(double scale, double shift, long resets, long failed) {}
