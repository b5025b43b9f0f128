// Reconnect timing: exponential backoff (1, 2, 4, 8, 16, 30 s, then 30 s) reset once results flow
// again. No jitter: one page per person, and a restarted server should see its viewers back soon.
export class Backoff {
  constructor({ firstMs = 1000, maxMs = 30000 } = {}) {
    this.firstMs = firstMs;
    this.maxMs = maxMs;
    this.attempt = 0;
  }
  /** The wait before the next try, and counts the try. */
  next() {
    const ms = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    this.attempt++;
    return ms;
  }
  reset() {
    this.attempt = 0;
  }
}

/**
 * Whether a lost connection is worth retrying by itself: unreachable (status 0), server errors
 * and 503 at capacity are; a 4xx refusal of the request itself (400, 404, 413) would fail the
 * same way again, and 4000 "replaced by a newer connection" means another page owns the session.
 */
export function shouldRetry({ status, closeCode } = {}) {
  if (closeCode === 4000) return false;
  if (typeof status === 'number' && status >= 400 && status < 500) return false;
  return true;
}

/** Close code of a node that is draining (shutting down, scaled in): docs/protocol.md. */
export const CLOSE_DRAINING = 4001;

/**
 * How long to wait before the next session: at once after 4001 — the node asked for it, and the
 * load balancer sends the new session to another node — else the backoff's next wait.
 */
export function retryWaitMs(backoff, { closeCode } = {}) {
  if (closeCode === CLOSE_DRAINING) return 0;
  return backoff.next();
}
