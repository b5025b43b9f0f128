// A stand-in for the depthcast server, for developing and testing the page without Java.
// It serves web/dist and speaks the HTTP/WebSocket side of docs/protocol.md, but it has no WebRTC
// stack: its SDP answer is the browser's offer mirrored (recvonly, setup:active, own ICE
// credentials), which the browser accepts although ICE never connects. The results WebSocket
// streams a synthetic point cloud (a rippling surface) at MOCK_FPS (default 20).
//
//   node test/mock-server.mjs [--port 8090]     env: MOCK_MAX_CLIENTS (503 beyond), MOCK_FPS
//
// Exports startMockServer({port, maxClients, fps, model, stab}) → {url, port, close(), sessions, offers}
// for tests: `offers` are the POST /api/sessions bodies it was sent, in order. An offer's `hfov`
// (20–150, else 400) is the session's field of view (default 60, the server's --fov); with `stab`
// each message carries a depth stabiliser state and a `stabilize` stage time.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '@msgpack/msgpack';
import { WebSocketServer } from 'ws';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.txt': 'text/plain',
  '.svg': 'image/svg+xml',
};

function mirrorSdp(offer) {
  const ufrag = randomBytes(3).toString('hex');
  const pwd = randomBytes(12).toString('hex');
  const fp = Array.from(randomBytes(32), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  return (
    offer
      .split(/\r?\n/)
      .filter(
        (l) =>
          l &&
          !l.startsWith('a=candidate') &&
          !l.startsWith('a=end-of-candidates') &&
          !l.startsWith('a=ice-options') &&
          !l.startsWith('a=extmap-allow-mixed') &&
          !l.startsWith('a=ssrc') &&
          !l.startsWith('a=msid'),
      )
      .map((l) => {
        if (l === 'a=sendonly') return 'a=recvonly';
        if (l === 'a=recvonly') return 'a=sendonly';
        if (l.startsWith('a=setup:')) return 'a=setup:active';
        if (l.startsWith('a=ice-ufrag:')) return `a=ice-ufrag:${ufrag}`;
        if (l.startsWith('a=ice-pwd:')) return `a=ice-pwd:${pwd}`;
        if (l.startsWith('a=fingerprint:')) return `a=fingerprint:sha-256 ${fp}`;
        return l;
      })
      .join('\r\n') + '\r\n'
  );
}

/** A w×h grid sampled every `stride`, unprojected per docs/pipeline-math.md, as a schema-1 message. */
export function syntheticCloud(
  seq,
  t,
  { w = 504, h = 378, stride = 4, hfov = 60, near = 0.4, far = 4, model = 'mock-ripple', stab = false } = {},
) {
  const fx = w / 2 / Math.tan((hfov * Math.PI) / 360);
  const fy = fx;
  const cx = w / 2;
  const cy = h / 2;
  const cols = Math.ceil(w / stride);
  const rows = Math.ceil(h / stride);
  const xyz = new Float32Array(cols * rows * 3);
  const rgb = new Uint8Array(cols * rows * 3);
  let n = 0;
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const u = i * stride;
      const v = j * stride;
      const dx = (u - cx) / w;
      const dy = (v - cy) / h;
      const r = Math.hypot(dx, dy);
      const inv = 0.5 + 0.35 * Math.cos(r * 18 - t * 3) * Math.exp(-r * 2) + 0.3 * (0.25 - r * r); // "inverse depth"
      const tt = Math.min(1, Math.max(0, inv));
      const z = 1 / (1 / far + tt * (1 / near - 1 / far));
      xyz[n * 3] = ((u + 0.5 - cx) / fx) * z;
      xyz[n * 3 + 1] = (-(v + 0.5 - cy) / fy) * z;
      xyz[n * 3 + 2] = -z;
      rgb[n * 3] = Math.round(255 * (u / w));
      rgb[n * 3 + 1] = Math.round(255 * (v / h));
      rgb[n * 3 + 2] = Math.round(255 * tt);
      n++;
    }
  }
  const nowUs = Date.now() * 1000;
  const timing = { ingest: 0.4, queue: 2.0, preprocess: 3.1, inference: 21.7, unproject: 1.2, encode: 0.9 };
  const extra = stab
    ? {
        stab: { scale: 1 + 0.02 * Math.sin(t), shift: 0.01, resets: 1, failed: 0 },
        timing: { ...timing, stabilize: 0.3 },
      }
    : {};
  return {
    v: 1,
    seq,
    ts: Math.round(t * 1e6),
    ingestUs: nowUs - 30000,
    sentUs: nowUs,
    w,
    h,
    stride,
    n,
    xyz: new Uint8Array(xyz.buffer),
    rgb,
    intr: { fx, fy, cx, cy, fov: hfov },
    range: [near, far],
    timing,
    batch: 1,
    dropped: 0,
    model,
    backend: 'simulated',
    ...extra,
  };
}

export function startMockServer({
  port = 0,
  host = '127.0.0.1',
  maxClients = Number(process.env.MOCK_MAX_CLIENTS || 8),
  fps = Number(process.env.MOCK_FPS || 20),
  model = 'mock-ripple',
  stab = false,
} = {}) {
  const sessions = new Map();
  const offers = [];
  const json = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const readBody = (req) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    try {
      // No WebRTC here, so no ICE servers either (docs/protocol.md: GET /api/config).
      if (req.method === 'GET' && p === '/api/config') return json(res, 200, { iceServers: [] });
      if (req.method === 'POST' && p === '/api/sessions') {
        let offer;
        try {
          offer = JSON.parse(await readBody(req));
        } catch {
          return json(res, 400, { error: 'malformed JSON' });
        }
        offers.push(offer);
        if (offer.type !== 'offer' || typeof offer.sdp !== 'string' || !/m=video/.test(offer.sdp)) {
          return json(res, 400, { error: 'expected {"type":"offer","sdp":…} with a video m-line' });
        }
        const hfov = offer.hfov ?? 60;
        if (typeof hfov !== 'number' || !(hfov >= 20 && hfov <= 150)) {
          return json(res, 400, {
            error: `hfov must be from 20 to 150 degrees, got ${offer.hfov}`,
          });
        }
        if (sessions.size >= maxClients) return json(res, 503, { error: `max clients (${maxClients}) reached` });
        const id = randomBytes(16).toString('base64url');
        sessions.set(id, {
          id,
          hfov,
          trickle: offer.trickle,
          candidates: [],
          polls: 0,
          deleted: false,
          sockets: new Set(),
        });
        return json(res, 201, { id, type: 'answer', sdp: mirrorSdp(offer.sdp) });
      }
      const m = p.match(/^\/api\/sessions\/([A-Za-z0-9_-]+)(\/candidates)?$/);
      if (m) {
        const s = sessions.get(m[1]);
        if (!s) return json(res, 404, { error: 'unknown session' });
        if (!m[2] && req.method === 'DELETE') {
          s.deleted = true;
          for (const ws of s.sockets) ws.close(1000, 'session deleted');
          sessions.delete(s.id);
          res.writeHead(204).end();
          return;
        }
        if (m[2] && req.method === 'POST') {
          const body = JSON.parse(await readBody(req));
          const list = Array.isArray(body.candidates) ? body.candidates : [body];
          for (const c of list) s.candidates.push(c);
          res.writeHead(204).end();
          return;
        }
        if (m[2] && req.method === 'GET') {
          s.polls++;
          return json(res, 200, { candidates: [], complete: s.polls >= 3 });
        }
      }
      if (p === '/api/stats')
        return json(res, 200, {
          backend: 'simulated',
          model: 'mock-ripple',
          modelFile: 'mock-ripple.onnx',
          engine: 'fp32, the model as given (no engine built for it)',
          sessions: sessions.size,
        });
      if (req.method === 'GET' && !p.startsWith('/api/')) {
        const file = normalize(join(DIST, p === '/' ? 'index.html' : p));
        if (!file.startsWith(DIST)) return json(res, 404, { error: 'not found' });
        try {
          const data = await readFile(file);
          res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
          res.end(data);
        } catch {
          json(res, 404, { error: 'not found' });
        }
        return;
      }
      json(res, 404, { error: 'not found' });
    } catch (e) {
      json(res, 500, { error: String(e.message || e) });
    }
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const m = new URL(req.url, 'http://x').pathname.match(/^\/api\/sessions\/([A-Za-z0-9_-]+)\/results$/);
    const s = m && sessions.get(m[1]);
    if (!s) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      s.sockets.add(ws);
      let seq = 0;
      const t0 = Date.now();
      const timer = setInterval(() => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(encode(syntheticCloud(seq++, (Date.now() - t0) / 1000, { model, stab, hfov: s.hfov })), {
          binary: true,
        });
      }, 1000 / fps);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        try {
          const msg = JSON.parse(data.toString());
          if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong', t: msg.t, server: Date.now() * 1000 }));
        } catch {
          /* ignore */
        }
      });
      ws.on('close', () => {
        clearInterval(timer);
        s.sockets.delete(ws);
      });
    });
  });

  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        url: `http://${host}:${addr.port}`,
        port: addr.port,
        sessions,
        offers,
        close: () =>
          new Promise((r) => {
            for (const s of sessions.values()) for (const ws of s.sockets) ws.terminate();
            wss.close();
            server.close(() => r());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8090;
  const srv = await startMockServer({ port });
  console.log(`mock depthcast server on ${srv.url} (serving ${DIST})`);
}
