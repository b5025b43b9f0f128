// WebRTC + signaling + results WebSocket, per docs/protocol.md.
// The browser sends its camera (sendonly video); point clouds come back on the WebSocket.

/** An HTTP error from the signaling API, carrying the server's {"error": "…"} reason. */
export class ApiError extends Error {
  constructor(status, reason, path) {
    super(`${path}: HTTP ${status}${reason ? ` — ${reason}` : ''}`);
    this.status = status;
    this.reason = reason;
    this.path = path;
  }
}

/**
 * The access token this page was opened with, if any: `/#token=…` (docs/security.md). Taken from
 * the fragment because browsers never send a fragment to a server, a proxy log or a Referer.
 */
export function tokenFromUrl(hash = typeof location === 'undefined' ? '' : location.hash) {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return value ? value : null;
}

let authToken = tokenFromUrl();

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (authToken) init.headers.Authorization = `Bearer ${authToken}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `server unreachable (${e.message})`, `${method} ${path}`);
  }
  const text = await res.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const reason = json && typeof json.error === 'string' ? json.error : text.slice(0, 200);
    throw new ApiError(res.status, reason, `${method} ${path}`);
  }
  return json;
}

const PRIVATE_ADDRESS = [
  /^10\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^169\.254\./,
  /^127\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
  /^f[cd][0-9a-f]{2}:/i,
  /^fe80:/i,
  /^::1$/,
];

/** True for an address only its own network can reach (RFC 1918, CGNAT, link-local, loopback, ULA). */
export function isPrivateAddress(address) {
  return PRIVATE_ADDRESS.some((re) => re.test(address));
}

/**
 * The page's message when ICE fails: what the server offered and what the operator can change.
 * `candidates` are the server's candidate lines (`candidate:F C udp P ADDRESS PORT typ TYPE …`).
 */
export function describeIceFailure(candidates, pageHost) {
  const offered = [];
  for (const line of candidates) {
    const f = String(line).replace(/^a=/, '').split(/\s+/);
    if (f.length >= 8) offered.push({ address: f[4], port: f[5], transport: f[2].toLowerCase(), type: f[7] });
  }
  const list = offered.map((c) => `${c.address}:${c.port} ${c.transport} ${c.type}`).join(', ') || 'none';
  const head = `WebRTC could not connect to the server (ICE failed): no network path carries the camera video. Server candidates: ${list}.`;
  const onlyPrivate = offered.length > 0 && offered.every((c) => c.type === 'host' && isPrivateAddress(c.address));
  if (onlyPrivate && !isPrivateAddress(pageHost)) {
    return `${head} The server offered only private addresses, which this browser cannot reach: if it is behind NAT, start it with --announced-ip PUBLIC_ADDRESS (and forward --ice-port-range), or give it a TURN server (--ice-server turn:…).`;
  }
  return `${head} A firewall may block them: open the server's --ice-port-range, or give it a TURN server (--ice-server turn:…?transport=tcp).`;
}

/**
 * GET /api/config: the ICE servers (STUN/TURN, credentials minted per request; [] from a server
 * without it) and the server's `--dense` (on, auto or off; off from a server without it).
 */
export async function fetchPageConfig(base = '') {
  try {
    const config = await api('GET', `${base}/api/config`);
    return {
      iceServers: Array.isArray(config?.iceServers) ? config.iceServers : [],
      dense: ['on', 'auto', 'off'].includes(config?.dense) ? config.dense : 'off',
    };
  } catch (e) {
    if (e.status === 404) return { iceServers: [], dense: 'off' };
    throw e;
  }
}

/** The ICE servers of GET /api/config. */
export async function fetchIceServers(base = '') {
  return (await fetchPageConfig(base)).iceServers;
}

/**
 * Whether the page asks for dense frames: the user's remembered choice ('dense' or 'sparse', or
 * null for none) over the server's `--dense` (on: dense unless switched off; auto and off: only
 * when switched on — off then answers why not).
 */
export function wantsDense(serverMode, choice) {
  if (choice === 'dense' || choice === 'sparse') return choice === 'dense';
  return serverMode === 'on';
}

/** The POST /api/sessions body: the offer, and `hfov` only when the page sets a field of view. */
export function offerBody(sdp, hfov) {
  const body = { type: 'offer', sdp, trickle: true };
  if (Number.isFinite(hfov)) body.hfov = hfov;
  return body;
}

/**
 * One streaming session. Events (callbacks set by the caller):
 *   onStatus(text), onResult({type: 'result', frame, raw?, at} | {type: 'bad-result', message, raw?, at}),
 *   onPong(obj, epochMs), onError(Error, fatal), onClosed(info)
 * The results socket runs in a worker (results-worker.js) that decodes and acknowledges every
 * binary result (docs/protocol.md, "Acks") before the page sees it: the server sends the next
 * result only when the page has room, and the page's drawing never delays that.
 */
export class Session {
  /** `hfov`: the camera's horizontal field of view to ask for (degrees), or undefined for the server's --fov. */
  constructor({ stream, base = '', pollMs = 200, hfov, denseChoice = () => null }) {
    this.stream = stream;
    this.hfov = hfov;
    this.denseChoice = denseChoice;
    /** 'asked' (until the answer), 'on' (the answer sends the track), 'refused', or 'off' (not asked). */
    this.dense = 'off';
    this.denseReason = '';
    this.onDenseTrack = () => {};
    this.base = base;
    this.pollMs = pollMs;
    this.id = null;
    this.pc = null;
    this.worker = null;
    this.recording = false;
    this.closed = false;
    this.pendingCandidates = [];
    this.candidateChain = Promise.resolve();
    this.remoteCandidatesAdded = 0;
    this.remoteCandidates = [];
    this.mediaConnected = false;
    this.iceFailureShown = false;
    this.onStatus = () => {};
    this.onResult = () => {};
    this.onPong = () => {};
    this.onError = () => {};
    this.onClosed = () => {};
  }

  path(suffix = '') {
    return `${this.base}/api/sessions/${encodeURIComponent(this.id)}${suffix}`;
  }

  async start() {
    const config = await fetchPageConfig(this.base);
    this.serverDense = config.dense;
    const pc = new RTCPeerConnection({ iceServers: config.iceServers });
    this.pc = pc;
    const track = this.stream.getVideoTracks()[0];
    if (!track) throw new Error('the camera stream has no video track');
    pc.addTransceiver(track, { direction: 'sendonly', streams: [this.stream] });
    if (wantsDense(config.dense, this.denseChoice())) {
      // A receive-only video m-line: the server answers with its dense track on it (docs/protocol.md).
      const dense = pc.addTransceiver('video', { direction: 'recvonly' });
      this.dense = 'asked';
      pc.ontrack = (ev) => {
        if (ev.transceiver === dense) this.onDenseTrack(new MediaStream([ev.track]));
      };
    }

    pc.onicecandidate = (ev) => {
      // A null candidate = end of gathering → {"candidate":""}.
      const body = ev.candidate ? ev.candidate.toJSON() : { candidate: '' };
      if (this.id) this.#sendCandidate(body);
      else this.pendingCandidates.push(body);
    };
    pc.onconnectionstatechange = () => {
      const s = pc.connectionState;
      this.onStatus(`WebRTC ${s}`);
      if (s === 'connected') this.mediaConnected = true;
      if (s !== 'failed') return;
      const ice = pc.iceConnectionState;
      if (ice === 'failed') this.#iceFailed();
      else
        this.onError(
          new Error(`WebRTC connection failed (ICE ${ice}, DTLS failed); no video reaches the server`),
          true,
        );
    };

    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.onStatus('sending offer');
    const answer = await api('POST', `${this.base}/api/sessions`, offerBody(pc.localDescription.sdp, this.hfov)).catch(
      (e) => {
        if (e instanceof ApiError) e.hfov = this.hfov; // a 400 may be about it (live-session.js says so)
        throw e;
      },
    );
    if (!answer || typeof answer.id !== 'string' || typeof answer.sdp !== 'string') {
      throw new Error('server answer lacks id or sdp');
    }
    if (this.closed) {
      this.#deleteSession();
      return;
    }
    this.id = answer.id;
    if (this.dense === 'asked') {
      this.dense = answer.dense === true ? 'on' : 'refused';
      this.denseReason = typeof answer.denseReason === 'string' ? answer.denseReason : '';
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const c of this.pendingCandidates.splice(0)) this.#sendCandidate(c);
    this.onStatus('connecting');
    this.#openResults();
    this.#pollCandidates();
  }

  #iceFailed() {
    if (this.iceFailureShown) return;
    this.iceFailureShown = true;
    this.onError(new Error(describeIceFailure(this.remoteCandidates, location.hostname)), true);
  }

  #sendCandidate(body) {
    // Sequential, so end-of-candidates always follows the real ones.
    this.candidateChain = this.candidateChain
      .then(() => (this.closed ? null : api('POST', this.path('/candidates'), body)))
      .catch((e) => this.onError(e, false));
  }

  async #pollCandidates() {
    const deadline = performance.now() + 30000;
    while (!this.closed) {
      let res;
      try {
        res = await api('GET', this.path('/candidates'));
      } catch (e) {
        this.onError(e, false);
        if (e.status === 404) return;
        res = null;
      }
      if (res && Array.isArray(res.candidates)) {
        for (let i = this.remoteCandidatesAdded; i < res.candidates.length; i++) {
          const c = res.candidates[i];
          if (!c || !c.candidate) continue;
          this.remoteCandidates.push(c.candidate);
          try {
            await this.pc.addIceCandidate({
              candidate: c.candidate,
              sdpMid: c.sdpMid ?? null,
              sdpMLineIndex: c.sdpMLineIndex ?? null,
            });
          } catch (e) {
            this.onError(new Error(`addIceCandidate(${c.candidate}): ${e.message}`), false);
          }
        }
        this.remoteCandidatesAdded = Math.max(this.remoteCandidatesAdded, res.candidates.length);
        if (res.complete) {
          try {
            await this.pc.addIceCandidate(null); // end-of-candidates
          } catch {
            /* some browsers reject the null form after all candidates; harmless */
          }
          return;
        }
      }
      if (performance.now() > deadline) {
        this.onError(new Error('server ICE gathering did not complete within 30 s'), false);
        return;
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  #openResults() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // A browser cannot put headers on a WebSocket: the token rides in the query instead.
    const query = authToken ? `?token=${encodeURIComponent(authToken)}` : '';
    const url = `${proto}//${location.host}${this.path('/results')}${query}`;
    // The socket lives in a worker, so acks never wait for the page's rendering (results-worker.js).
    const worker = new Worker(new URL('results-worker.js', document.baseURI));
    this.worker = worker;
    worker.onmessage = (ev) => this.#fromWorker(ev.data);
    worker.onerror = (ev) => {
      ev.preventDefault();
      if (this.closed) return;
      this.onError(new Error(`the results worker failed: ${ev.message || 'could not load results-worker.js'}`), true);
      this.onClosed({ code: 1006, reason: 'worker failed', opened: false });
    };
    worker.postMessage({ type: 'open', url });
    if (this.recording) worker.postMessage({ type: 'record', on: true });
  }

  #fromWorker(m) {
    if (this.closed) return;
    switch (m.type) {
      case 'open':
        this.onStatus('results socket open');
        this.ping();
        this.pingTimer = setInterval(() => this.ping(), 2000);
        break;
      case 'result':
      case 'bad-result':
        try {
          this.onResult(m);
        } finally {
          this.worker.postMessage({ type: 'ready' }); // taken: the worker may hand over the next
        }
        break;
      case 'pong':
        this.onPong(m.msg, m.at);
        break;
      case 'server-error':
        this.onError(new Error(`server: ${m.message}`), false);
        break;
      case 'closed': {
        clearInterval(this.pingTimer);
        // The server gives up on a peer connection that never connected (often before the browser
        // does) and closes the session (1000): the cause to show is the ICE failure, not the socket.
        if (!this.mediaConnected && m.opened && m.code === 1000) {
          this.#iceFailed();
          this.onClosed({ code: m.code, reason: m.reason, opened: m.opened });
          return;
        }
        const why = m.reason ? `: ${m.reason}` : '';
        const what = m.opened ? 'results WebSocket closed' : 'results WebSocket could not be opened';
        this.onError(Object.assign(new Error(`${what} (code ${m.code}${why})`), { closeCode: m.code }), true);
        this.onClosed({ code: m.code, reason: m.reason, opened: m.opened });
        break;
      }
      default:
        break;
    }
  }

  /** Sends a clock-sync ping; the worker stamps it, and the pong's arrival, on the shared clock. */
  ping() {
    this.worker?.postMessage({ type: 'ping' });
  }

  /** Dense frames (true) or schema 2 (false) for this session: its stall fallback, and back. */
  setDense(on) {
    this.worker?.postMessage({ type: 'dense', on });
  }

  /** While on, each result also carries its message's bytes (`raw`), for the page's recorder. */
  setRecording(on) {
    this.recording = on;
    this.worker?.postMessage({ type: 'record', on });
  }

  #deleteSession() {
    if (!this.id) return;
    try {
      // keepalive lets the request outlive the page on unload.
      const headers = authToken ? { Authorization: `Bearer ${authToken}` } : {};
      fetch(this.path(), { method: 'DELETE', keepalive: true, headers }).catch(() => {});
    } catch {
      /* ignore */
    }
  }

  /** Ends the session: DELETE on the server, close socket and peer connection. Idempotent. */
  close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.#deleteSession();
    this.worker?.postMessage({ type: 'close' });
    try {
      this.pc?.close();
    } catch {
      /* ignore */
    }
  }
}
