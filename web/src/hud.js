// The HUD's text, from the stats object (src/page-stats.js). Pure: hudSummary and hudCells only
// format; showHud writes the result into the page's elements, found by id.
import { STAGES } from './cloud.js';
import { fmt, fmtBytes } from './stats.js';

/** The one-line HUD: results fps · ingest→render latency (once known) · bytes a frame. */
export function hudSummary(stats) {
  return [
    `${fmt(stats.fps, 1)} fps`,
    Number.isFinite(stats.latencyMs) ? `${fmt(stats.latencyMs, 0)} ms` : null,
    fmtBytes(stats.bytes),
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The full HUD table: element id → text. `clockSynced`: whether the page knows the server's clock
 * (until then there is no latency to show, and the HUD says it waits for it).
 */
export function hudCells(stats, { clockSynced }) {
  const known = Number.isFinite;
  const cells = {
    'hud-fps': fmt(stats.fps, 1),
    'hud-drawn-fps': fmt(stats.drawnFps, 1),
    'hud-frames': String(stats.frames),
    'hud-latency': known(stats.latencyMs)
      ? `${fmt(stats.latencyMs, 0)} ms (max ${fmt(stats.latencyMaxMs, 0)})`
      : stats.source === 'replay'
        ? '— (replay)'
        : clockSynced
          ? '—'
          : 'waiting for clock sync',
    'hud-server-ms': known(stats.serverMs) ? `${fmt(stats.serverMs, 1)} ms` : '—',
    'hud-encnet': known(stats.encodeNetMs)
      ? `≈${fmt(stats.encodeNetMs, 1)} ms (enc ${fmt(stats.encodeMs, 1)} + rtt/2 ${fmt(stats.netMs, 1)})`
      : known(stats.encodeMs)
        ? `enc ${fmt(stats.encodeMs, 1)} ms, net —`
        : '—',
    'hud-clock': clockSynced ? `${fmt(stats.clockOffsetMs, 1)} ms ±${fmt(stats.clockRttMs / 2, 1)}` : '—',
    'hud-bytes': fmtBytes(stats.bytes),
    'hud-points': known(stats.points) ? `${stats.points} (mean ${fmt(stats.meanPoints, 0)})` : '—',
    'hud-grid': known(stats.w)
      ? `${stats.w}×${stats.h} /${stats.stride} · level ${stats.level}${stats.level > 0 ? ' (link-limited)' : ''} · decode ${fmt(stats.decodeMs, 1)} ms`
      : '—',
    'hud-batch': known(stats.batch) ? String(stats.batch) : '—',
    'hud-backend': stats.backend || '—',
    // The model file is the server's, so a replay (another server, another time) leaves it out.
    'hud-model': [stats.model, stats.source !== 'replay' ? stats.modelFile : null].filter(Boolean).join(' · ') || '—',
    // The engine is the server's, like the model file: a replay leaves it out.
    'hud-engine': (stats.source !== 'replay' && stats.engine) || '—',
    'hud-fov': fovText(stats),
    ...stabCells(stats.stab),
  };
  for (const s of STAGES) cells[`hud-t-${s}`] = fmt(stats.timing[s], 2);
  cells['hud-dropped'] = known(stats.dropped) ? String(stats.dropped) : '—';
  cells['hud-skipped'] = String(stats.skipped);
  cells['hud-send'] = known(stats.sendWidth)
    ? `${stats.sendWidth}×${stats.sendHeight} ${fmt(stats.sendFps, 0)} fps ${fmt(stats.sendKbps, 0)} kbps ${stats.codec}`
    : '—';
  return cells;
}

/**
 * The horizontal field of view the server used (the message's intr.fov) and where it came from:
 * the page's setting, the server's --fov, or a recording. A session that asked for one and got
 * another (a server without per-session fields of view) says so.
 */
export function fovText(stats) {
  if (!Number.isFinite(stats.fov)) return '—';
  const used = `${fmt(stats.fov, 1)}°`;
  if (stats.source === 'replay') return `${used} · recorded`;
  if (!Number.isFinite(stats.fovAsked)) return `${used} · server's --fov`;
  if (Math.abs(stats.fov - stats.fovAsked) < 0.05) return `${used} · set ${stats.fovSetting}`;
  return `${used} · asked ${fmt(stats.fovAsked, 1)}°, not applied`;
}

/** The server's depth stabiliser for this frame (its fit; its resets and failed fits), or "—" when the message has none. */
export function stabCells(stab) {
  return {
    'hud-stab': stab ? `scale ${fmt(stab.scale, 3)} · shift ${fmt(stab.shift, 3)}` : '—',
    'hud-stab-count': stab ? `resets ${fmt(stab.resets, 0)} · failed ${fmt(stab.failed, 0)}` : '—',
  };
}

/** Writes the HUD: the summary line and every cell (kept current while folded: tests and screen readers read it). */
export function showHud(byId, stats, { clockSynced }) {
  byId('hud-summary').textContent = hudSummary(stats);
  showHudCells(byId, stats, { clockSynced });
}

export function showHudCells(byId, stats, { clockSynced }) {
  for (const [id, text] of Object.entries(hudCells(stats, { clockSynced }))) byId(id).textContent = text;
}
