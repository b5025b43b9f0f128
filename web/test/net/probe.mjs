#!/usr/bin/env node
// A measuring browser for real-network tests: headless Debian Chromium (fake camera) opens a
// depthcast page and reports what arrives — independent of the page's own code, so it keeps
// working while the page and the wire format change:
//   * every results message is timed where it reaches the page (a WebSocket 'message' listener
//     registered before the page's own, in the page or in any worker it starts: the page keeps its
//     results socket in one), and its top-level msgpack map is walked for `ingestUs`, `seq` and
//     `level` (the wire keeps those names in every schema version);
//   * the peer connection's selected candidate pair (getStats) says which path the video took;
//   * the page's visible text is searched for an expected error.
// Latency = arrival (page wall clock) − ingestUs (server wall clock): valid because the browser
// and the server run on the same machine (network namespaces share one clock).
//
//   node test/net/probe.mjs --url http://203.0.113.10:8080 --seconds 20 [options]
//
// Options:
//   --url URL             the page (its origin is treated as secure, so http:// gets the camera)
//   --token T             open the page as URL/#token=T (a server with --auth-token, docs/security.md)
//   --seconds S           measuring window after the warm-up (default 20)
//   --warmup S            seconds after the first result before measuring (default 3)
//   --connect-timeout S   most seconds to wait for the first result (default 60)
//   --clip FILE.y4m       camera from a YUV4MPEG2 clip (its frame rate) instead of the fake pattern
//   --step-at S --step-cmd CMD   run CMD (sh -c) S seconds into the window (e.g. change a link's rate)
//   --json FILE           write the report there too
//   --arrivals FILE       write each result of the window there (CSV: arrival, seq, level, bytes,
//                         ingest → sent ms, sent → arrival ms), to see where a latency tail comes from
// Assertions (exit 1 with the reason when one fails):
//   --min-results N       results in the window (the path works, whatever the machine's load)
//   --min-rate R          results/s over the window
//   --max-p95 MS          ingest→arrival latency p95 over the window
//   --expect-path KIND    selected pair: udp | tcp (ICE-TCP, host) | relay-tcp (TURN over TCP)
//   --expect-remote ADDR  the selected pair's remote (server-side) address
//   --recover-ms MS --recover-p95 MS   after --step-at: the latency p95 of everything from MS
//                         after the step to the end under --recover-p95, and no new results
//                         WebSocket (no reconnect). Also reported, not judged: recoveryMs, from when
//                         every trailing 1 s window's p95 stays under --recover-p95 to the end
//                         (one late spike of the machine resets it)
//   --expect-error REGEX  no result at all, and the page shows text matching REGEX
//                         (waits up to --connect-timeout)
//   --expect-hud-level    at the end of the window the HUD's grid line names a link level
//                         ("level L") that results carried in the last 5 s before it was read
//                         (the page must show the level the server adapted to); levels seen are reported either way
// env: CHROMIUM (default /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

function parseArgs(argv) {
  const o = { seconds: 20, warmup: 3, connectTimeout: 60 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    switch (k) {
      case '--url':
        o.url = v().replace(/\/+$/, '');
        break;
      case '--token':
        o.token = v();
        break;
      case '--seconds':
        o.seconds = Number(v());
        break;
      case '--warmup':
        o.warmup = Number(v());
        break;
      case '--connect-timeout':
        o.connectTimeout = Number(v());
        break;
      case '--clip':
        o.clip = v();
        break;
      case '--step-at':
        o.stepAt = Number(v());
        break;
      case '--step-cmd':
        o.stepCmd = v();
        break;
      case '--json':
        o.json = v();
        break;
      case '--min-results':
        o.minResults = Number(v());
        break;
      case '--min-rate':
        o.minRate = Number(v());
        break;
      case '--max-p95':
        o.maxP95 = Number(v());
        break;
      case '--arrivals':
        o.arrivals = v();
        break;
      case '--expect-path':
        o.expectPath = v();
        break;
      case '--expect-remote':
        o.expectRemote = v();
        break;
      case '--recover-ms':
        o.recoverMs = Number(v());
        break;
      case '--recover-p95':
        o.recoverP95 = Number(v());
        break;
      case '--expect-error':
        o.expectError = new RegExp(v());
        break;
      case '--expect-hud-level':
        o.expectHudLevel = true;
        break;
      default:
        throw new Error(`unknown option ${k}`);
    }
  }
  if (!o.url) throw new Error('--url is required');
  return o;
}

// Runs in the page before its scripts, and in every worker the page starts before the worker's
// own script: records results-message arrivals (the page's results socket lives in a worker) and
// peer connections.
function instrument() {
  if (self.__probe) return;
  const arrivals = [];
  const sockets = [];
  const peers = [];
  const workers = [];
  // Walks one msgpack value at offset o; returns the offset after it. Reads ints on request.
  function skip(dv, o) {
    const b = dv.getUint8(o);
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return o + 1;
    if (b >= 0xa0 && b <= 0xbf) return o + 1 + (b & 0x1f);
    if (b >= 0x80 && b <= 0x8f) {
      let p = o + 1;
      for (let i = 0; i < (b & 0x0f) * 2; i++) p = skip(dv, p);
      return p;
    }
    if (b >= 0x90 && b <= 0x9f) {
      let p = o + 1;
      for (let i = 0; i < (b & 0x0f); i++) p = skip(dv, p);
      return p;
    }
    switch (b) {
      case 0xc4:
      case 0xd9:
        return o + 2 + dv.getUint8(o + 1);
      case 0xc5:
      case 0xda:
        return o + 3 + dv.getUint16(o + 1);
      case 0xc6:
      case 0xdb:
        return o + 5 + dv.getUint32(o + 1);
      case 0xc7:
        return o + 3 + dv.getUint8(o + 1);
      case 0xc8:
        return o + 4 + dv.getUint16(o + 1);
      case 0xc9:
        return o + 6 + dv.getUint32(o + 1);
      case 0xca:
        return o + 5;
      case 0xcb:
        return o + 9;
      case 0xcc:
      case 0xd0:
        return o + 2;
      case 0xcd:
      case 0xd1:
        return o + 3;
      case 0xce:
      case 0xd2:
        return o + 5;
      case 0xcf:
      case 0xd3:
        return o + 9;
      case 0xd4:
        return o + 3;
      case 0xd5:
        return o + 4;
      case 0xd6:
        return o + 6;
      case 0xd7:
        return o + 10;
      case 0xd8:
        return o + 18;
      case 0xdc:
      case 0xde: {
        const n = dv.getUint16(o + 1) * (b === 0xde ? 2 : 1);
        let p = o + 3;
        for (let i = 0; i < n; i++) p = skip(dv, p);
        return p;
      }
      case 0xdd:
      case 0xdf: {
        const n = dv.getUint32(o + 1) * (b === 0xdf ? 2 : 1);
        let p = o + 5;
        for (let i = 0; i < n; i++) p = skip(dv, p);
        return p;
      }
      default:
        throw new Error(`msgpack byte 0x${b.toString(16)}`);
    }
  }
  function readInt(dv, o) {
    const b = dv.getUint8(o);
    if (b <= 0x7f) return b;
    switch (b) {
      case 0xcc:
        return dv.getUint8(o + 1);
      case 0xcd:
        return dv.getUint16(o + 1);
      case 0xce:
        return dv.getUint32(o + 1);
      case 0xcf:
        return Number(dv.getBigUint64(o + 1));
      case 0xd0:
        return dv.getInt8(o + 1);
      case 0xd1:
        return dv.getInt16(o + 1);
      case 0xd2:
        return dv.getInt32(o + 1);
      case 0xd3:
        return Number(dv.getBigInt64(o + 1));
      case 0xca:
        return dv.getFloat32(o + 1);
      case 0xcb:
        return dv.getFloat64(o + 1);
      default:
        return b >= 0xe0 ? b - 256 : NaN;
    }
  }
  function readStr(dv, o) {
    const b = dv.getUint8(o);
    let len, start;
    if (b >= 0xa0 && b <= 0xbf) {
      len = b & 0x1f;
      start = o + 1;
    } else if (b === 0xd9) {
      len = dv.getUint8(o + 1);
      start = o + 2;
    } else return null;
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(dv.getUint8(start + i));
    return s;
  }
  function header(buf) {
    const dv = new DataView(buf);
    const b = dv.getUint8(0);
    let n, p;
    if (b >= 0x80 && b <= 0x8f) {
      n = b & 0x0f;
      p = 1;
    } else if (b === 0xde) {
      n = dv.getUint16(1);
      p = 3;
    } else if (b === 0xdf) {
      n = dv.getUint32(1);
      p = 5;
    } else return {};
    const out = {};
    for (let i = 0; i < n; i++) {
      const key = readStr(dv, p);
      p = skip(dv, p);
      if (key === 'ingestUs' || key === 'seq' || key === 'sentUs' || key === 'level') out[key] = readInt(dv, p);
      p = skip(dv, p);
    }
    return out;
  }
  const NativeWebSocket = self.WebSocket;
  self.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      sockets.push({ url: String(args[0]), t: performance.timeOrigin + performance.now() });
      this.addEventListener('message', (ev) => {
        if (typeof ev.data === 'string') return;
        const t = performance.timeOrigin + performance.now();
        const bytes = ev.data.byteLength ?? ev.data.size;
        let h = {};
        try {
          if (ev.data instanceof ArrayBuffer) h = header(ev.data);
        } catch (e) {
          h = { error: String(e) };
        }
        arrivals.push({ t, bytes, ingestUs: h.ingestUs, sentUs: h.sentUs, seq: h.seq, level: h.level });
      });
    }
  };
  if (self.RTCPeerConnection) {
    const NativePeer = self.RTCPeerConnection;
    self.RTCPeerConnection = class extends NativePeer {
      constructor(...args) {
        super(...args);
        peers.push(this);
      }
    };
  }
  if (self.Worker) {
    // A worker gets this same instrumentation first: its script is loaded by a wrapper that runs
    // instrument() and then importScripts() the real one (the probe's context bypasses the page's
    // CSP for the blob: URL).
    const NativeWorker = self.Worker;
    const source = `(${instrument})();`;
    self.Worker = class extends NativeWorker {
      constructor(url, options) {
        const real = new URL(url, self.location.href).href;
        const wrapper = new Blob([`${source}\nimportScripts(${JSON.stringify(real)});`], { type: 'text/javascript' });
        super(URL.createObjectURL(wrapper), options);
        workers.push({ url: real, t: performance.timeOrigin + performance.now() });
      }
    };
  }
  self.__probe = {
    arrivals,
    sockets,
    workers,
    async selectedPair() {
      const pc = peers[peers.length - 1];
      if (!pc) return null;
      const stats = await pc.getStats();
      let pair = null;
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
      });
      if (!pair)
        stats.forEach((s) => {
          if (!pair && s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
        });
      if (!pair) return { state: pc.iceConnectionState };
      const l = stats.get(pair.localCandidateId) || {};
      const r = stats.get(pair.remoteCandidateId) || {};
      return {
        state: pc.iceConnectionState,
        local: {
          type: l.candidateType,
          protocol: l.protocol,
          relayProtocol: l.relayProtocol,
          address: l.address,
          port: l.port,
        },
        remote: { type: r.candidateType, protocol: r.protocol, address: r.address, port: r.port },
      };
    },
  };
}

const quantile = (xs, q) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

// A result's latency split at the server's send: ingest → sent (batch wait, model, encode) and
// sent → arrival (socket, link, the page's worker), to show where a tail comes from.
const serverMs = (a) => (a.sentUs - a.ingestUs) / 1000;
const deliveryMs = (a) => a.t - a.sentUs / 1000;

/** Results/s, latency p50/p95, median bytes of the arrivals in [from, to) (page ms). */
export function summarize(arrivals, from, to) {
  const w = arrivals.filter((a) => a.t >= from && a.t < to);
  const lat = w.filter((a) => Number.isFinite(a.ingestUs)).map((a) => a.t - a.ingestUs / 1000);
  const sent = w.filter((a) => Number.isFinite(a.sentUs));
  return {
    results: w.length,
    resultsPerSec: w.length / ((to - from) / 1000),
    p50Ms: quantile(lat, 0.5),
    p95Ms: quantile(lat, 0.95),
    medianBytes: quantile(
      w.map((a) => a.bytes),
      0.5,
    ),
    serverP95Ms: quantile(sent.map(serverMs), 0.95),
    deliveryP95Ms: quantile(sent.map(deliveryMs), 0.95),
  };
}

/**
 * Ms after `from` from which the p95 of every trailing 1 s window of arrivals stays under `limit`
 * until `to` (a window without arrivals counts as over); null if it never settles.
 */
export function recoveryMs(arrivals, from, to, limit) {
  let recovered = null;
  for (let t = from + 100; t <= to; t += 100) {
    const s = summarize(arrivals, t - 1000, t);
    if (s.results > 0 && s.p95Ms < limit) {
      if (recovered === null) recovered = t - from;
    } else {
      recovered = null;
    }
  }
  return recovered;
}

/** Arrivals from the page and from its live workers, in time order. */
async function allArrivals(page) {
  const lists = [await page.evaluate(() => window.__probe.arrivals)];
  for (const w of page.workers()) lists.push(await w.evaluate(() => self.__probe?.arrivals ?? []).catch(() => []));
  return lists.flat().sort((a, b) => a.t - b.t);
}

/** Results sockets opened so far: in the page, or one per worker (the page's socket lives in one). */
const socketsOpened = (page) => page.evaluate(() => window.__probe.sockets.length + window.__probe.workers.length);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const origin = new URL(o.url).origin;
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--unsafely-treat-insecure-origin-as-secure=${origin}`,
  ];
  if (o.clip) flags.push(`--use-file-for-fake-video-capture=${o.clip}`);
  const profile = await mkdtemp(join(tmpdir(), 'depthcast-probe-'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    ignoreDefaultArgs: true,
    args: [...flags, `--user-data-dir=${profile}`, '--remote-debugging-pipe', '--no-startup-window'],
    timeout: 60000,
  });
  const failures = [];
  const report = { url: o.url };
  try {
    // bypassCSP: the worker wrapper is a blob: script, which the page's CSP rightly refuses.
    const context = await browser.newContext({ viewport: { width: 960, height: 540 }, bypassCSP: true });
    await context.addInitScript(instrument);
    const page = await context.newPage();
    const log = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log.push(`[console.${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
    const opened = Date.now();
    await page.goto(`${o.url}/${o.token ? `#token=${encodeURIComponent(o.token)}` : ''}`, {
      waitUntil: 'load',
      timeout: 30000,
    });

    if (o.expectError) {
      // Wait for the expected message while watching that no result ever arrives.
      const found = await page
        .waitForFunction((src) => new RegExp(src).test(document.body.innerText), o.expectError.source, {
          timeout: o.connectTimeout * 1000,
          polling: 250,
        })
        .then(
          () => true,
          () => false,
        );
      report.secondsToError = (Date.now() - opened) / 1000;
      report.pageText = (await page.evaluate(() => document.body.innerText))
        .split('\n')
        .filter((l) => /error|fail|ICE|server/i.test(l))
        .slice(0, 6);
      report.results = (await allArrivals(page)).length;
      report.path = await page.evaluate(() => window.__probe.selectedPair());
      if (!found) failures.push(`the page never showed /${o.expectError.source}/ within ${o.connectTimeout} s`);
      if (report.results > 0) failures.push(`expected no results, got ${report.results}`);
    } else {
      let first = false;
      for (const deadline = Date.now() + o.connectTimeout * 1000; !first && Date.now() < deadline;) {
        first = (await allArrivals(page)).length > 0;
        if (!first) await page.waitForTimeout(100);
      }
      report.secondsToFirstResult = (Date.now() - opened) / 1000;
      if (!first) {
        report.pageText = (await page.evaluate(() => document.body.innerText)).split('\n').slice(0, 12);
        failures.push(
          `no result within ${o.connectTimeout} s; page says: ${report.pageText.join(' | ')}; ${log.slice(-10).join(' | ')}`,
        );
      } else {
        await page.waitForTimeout(o.warmup * 1000);
        const start = await page.evaluate(() => performance.timeOrigin + performance.now());
        const denseBefore = await page.evaluate(() => window.depthcast.denseStats?.());
        const socketsBefore = await socketsOpened(page);
        let stepT = null;
        if (o.stepAt !== undefined && o.stepCmd) {
          await page.waitForTimeout(o.stepAt * 1000);
          stepT = await page.evaluate(() => performance.timeOrigin + performance.now());
          await new Promise((resolve, reject) => {
            spawn('sh', ['-c', o.stepCmd], { stdio: 'inherit' }).on('exit', (c) =>
              c === 0 ? resolve() : reject(new Error(`--step-cmd exited ${c}`)),
            );
          });
          await page.waitForTimeout(Math.max(0, (o.seconds - o.stepAt) * 1000));
        } else {
          await page.waitForTimeout(o.seconds * 1000);
        }
        const end = await page.evaluate(() => performance.timeOrigin + performance.now());
        const denseAfter = await page.evaluate(() => window.depthcast.denseStats?.());
        const arrivals = await allArrivals(page);
        report.window = summarize(arrivals, start, end);
        // Dense mode: video frames drawn (paired with their metadata) a second, the points their
        // metadata names, capture → display latency, and the video's received bitrate.
        if (denseBefore && denseAfter && denseAfter.mode === 'dense') {
          const s = (end - start) / 1000;
          report.dense = {
            framesPerSec: (denseAfter.frames - denseBefore.frames) / s,
            points: denseAfter.points,
            drawn: denseAfter.drawn,
            unpaired: denseAfter.unpaired - denseBefore.unpaired,
            latencyMs: denseAfter.latencyMs,
            rxKbps: ((denseAfter.bytesReceived - denseBefore.bytesReceived) * 8) / s / 1000,
          };
        }
        if (o.arrivals) {
          // One line per result in the window: when it arrived (ms into the window), its seq and
          // level, its size, and its latency split at the server's send (ms).
          const rows = arrivals
            .filter((a) => a.t >= start && a.t < end)
            .map((a) =>
              [
                (a.t - start).toFixed(1),
                a.seq,
                a.level,
                a.bytes,
                serverMs(a).toFixed(1),
                deliveryMs(a).toFixed(1),
              ].join(','),
            );
          await writeFile(o.arrivals, `t_ms,seq,level,bytes,server_ms,delivery_ms\n${rows.join('\n')}\n`);
        }
        report.path = await page.evaluate(() => window.__probe.selectedPair());
        report.reconnects = (await socketsOpened(page)) - socketsBefore;
        if (stepT !== null) {
          report.beforeStep = summarize(arrivals, start, stepT);
          report.afterStep = summarize(arrivals, stepT, end);
          report.lastSeconds = summarize(arrivals, Math.max(stepT, end - 5000), end);
          if (o.recoverP95) report.recoveryMs = recoveryMs(arrivals, stepT, end, o.recoverP95);
          // Everything from 3 s after the step (or --recover-ms) to the end: "back under X within 3 s".
          report.settled = summarize(arrivals, stepT + (o.recoverMs ?? 3000), end);
        }
        // Levels the server chose for this page over the window, and what the HUD says now.
        const seen = {};
        for (const a of arrivals)
          if (a.t >= start && Number.isInteger(a.level)) seen[a.level] = (seen[a.level] || 0) + 1;
        report.levels = seen;
        report.hudGrid = await page.evaluate(() => document.getElementById('hud-grid')?.textContent ?? null);
        if (o.expectHudLevel) {
          const m = /level (\d+)/.exec(report.hudGrid || '');
          const shown = m ? Number(m[1]) : null;
          // The levels of the results of the last 5 s up to the moment the HUD was read, which is
          // after the window: collecting the window's arrivals costs the page CPU, the page acks
          // later, and the server may step down meanwhile (the HUD then rightly names a level the
          // window never saw). The HUD trails the worker by its refresh (250 ms) and the draw.
          const upToHud = await allArrivals(page);
          const recent = new Set(upToHud.filter((a) => a.t >= end - 5000).map((a) => a.level));
          if (shown === null) failures.push(`the HUD shows no link level ("${report.hudGrid}")`);
          else if (!recent.has(shown))
            failures.push(`the HUD shows level ${shown}, the last results carried ${[...recent].join(', ')}`);
        }
        const w = report.window;
        if (o.minResults !== undefined && !(w.results >= o.minResults))
          failures.push(`${w.results} results in ${o.seconds} s < ${o.minResults}`);
        if (o.minRate !== undefined && !(w.resultsPerSec >= o.minRate))
          failures.push(`results/s ${w.resultsPerSec.toFixed(1)} < ${o.minRate}`);
        if (o.maxP95 !== undefined && !(w.p95Ms <= o.maxP95))
          failures.push(`latency p95 ${w.p95Ms.toFixed(0)} ms > ${o.maxP95}`);
        if (o.recoverMs !== undefined) {
          if (!(report.settled?.p95Ms <= o.recoverP95))
            failures.push(
              `p95 from ${o.recoverMs} ms after the step to the end ${report.settled?.p95Ms} ms > ${o.recoverP95}`,
            );
          if (report.reconnects > 0) failures.push(`${report.reconnects} reconnect(s) after the step`);
        }
      }
    }
    const p = report.path;
    if (o.expectPath) {
      const got = !p?.local ? 'none' : p.local.type === 'relay' ? `relay-${p.local.relayProtocol}` : p.local.protocol;
      report.pathKind = got;
      if (got !== o.expectPath) failures.push(`selected path ${got} (${JSON.stringify(p)}), expected ${o.expectPath}`);
    }
    if (o.expectRemote && p?.remote?.address !== o.expectRemote) {
      failures.push(`selected remote address ${p?.remote?.address}, expected ${o.expectRemote}`);
    }
    if (log.length) report.pageLog = log.slice(-10);
  } finally {
    await browser.close().catch(() => {});
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  }
  report.failures = failures;
  const text = JSON.stringify(
    report,
    (k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v),
    2,
  );
  if (o.json) await writeFile(o.json, text);
  console.log(text);
  if (failures.length) {
    console.error(`probe: FAIL: ${failures.join('; ')}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(`probe: ${e.stack || e}`);
    process.exit(2);
  });
}
