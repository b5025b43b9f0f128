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

/**
 * One streaming session. Events (callbacks set by the caller):
 *   onStatus(text), onMessage(ArrayBuffer), onPong(obj, pageNowMs), onError(Error, fatal), onClosed(info)
 */
export class Session {
  constructor({ stream, base = '', now = () => performance.timeOrigin + performance.now(), pollMs = 200 }) {
    this.stream = stream;
    this.base = base;
    this.now = now;
    this.pollMs = pollMs;
    this.id = null;
    this.pc = null;
    this.ws = null;
    this.closed = false;
    this.pendingCandidates = [];
    this.candidateChain = Promise.resolve();
    this.remoteCandidatesAdded = 0;
    this.onStatus = () => {};
    this.onMessage = () => {};
    this.onPong = () => {};
    this.onError = () => {};
    this.onClosed = () => {};
  }

  path(suffix = '') {
    return `${this.base}/api/sessions/${encodeURIComponent(this.id)}${suffix}`;
  }

  async start() {
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    const track = this.stream.getVideoTracks()[0];
    if (!track) throw new Error('the camera stream has no video track');
    pc.addTransceiver(track, { direction: 'sendonly', streams: [this.stream] });

    pc.onicecandidate = (ev) => {
      // A null candidate = end of gathering → {"candidate":""}.
      const body = ev.candidate ? ev.candidate.toJSON() : { candidate: '' };
      if (this.id) this.#sendCandidate(body);
      else this.pendingCandidates.push(body);
    };
    pc.onconnectionstatechange = () => {
      const s = pc.connectionState;
      this.onStatus(`WebRTC ${s}`);
      if (s === 'failed') this.onError(new Error('WebRTC connection failed (ICE/DTLS); no video reaches the server'), true);
    };

    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.onStatus('sending offer');
    const answer = await api('POST', `${this.base}/api/sessions`, {
      type: 'offer',
      sdp: pc.localDescription.sdp,
      trickle: true,
    });
    if (!answer || typeof answer.id !== 'string' || typeof answer.sdp !== 'string') {
      throw new Error('server answer lacks id or sdp');
    }
    if (this.closed) {
      this.#deleteSession();
      return;
    }
    this.id = answer.id;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const c of this.pendingCandidates.splice(0)) this.#sendCandidate(c);
    this.onStatus('connecting');
    this.#openResults();
    this.#pollCandidates();
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
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.onStatus('results socket open');
      this.ping();
      this.pingTimer = setInterval(() => this.ping(), 2000);
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') {
        let msg;
        try {
          msg = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (msg && msg.type === 'pong') this.onPong(msg, this.now());
        // Not in docs/protocol.md, but the server sends {"type":"error","message":…} (at most 1/s)
        // when processing this session's frames fails.
        else if (msg && msg.type === 'error') this.onError(new Error(`server: ${msg.message}`), false);
        return;
      }
      this.onMessage(ev.data);
    };
    ws.onerror = () => {}; // the close event carries what we can know
    ws.onclose = (ev) => {
      clearInterval(this.pingTimer);
      if (this.closed) return;
      const why = ev.reason ? `: ${ev.reason}` : '';
      const what = opened ? 'results WebSocket closed' : 'results WebSocket could not be opened';
      this.onError(Object.assign(new Error(`${what} (code ${ev.code}${why})`), { closeCode: ev.code }), true);
      this.onClosed({ code: ev.code, reason: ev.reason, opened });
    };
  }

  ping() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: 'ping', t: this.now() }));
    }
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
    try {
      this.ws?.close(1000, 'page closed');
    } catch {
      /* ignore */
    }
    try {
      this.pc?.close();
    } catch {
      /* ignore */
    }
  }
}
