// Unit tests for src/fov.js: the camera's field of view as set in the page, converted and remembered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FOV_PRESETS,
  FOV_STORAGE_KEY,
  fovLabel,
  horizontalFromDiagonal,
  loadFovSetting,
  offerHfov,
  parseFovSetting,
  presetIndex,
  saveFovSetting,
} from '../../src/fov.js';
import { offerBody } from '../../src/session.js';

/** localStorage's interface over a Map; `broken` makes every call throw (private mode, blocked storage). */
function fakeStorage({ broken = false } = {}) {
  const map = new Map();
  const guard = () => {
    if (broken) throw new Error('SecurityError');
  };
  return {
    map,
    getItem: (k) => (guard(), map.has(k) ? map.get(k) : null),
    setItem: (k, v) => (guard(), map.set(k, String(v))),
    removeItem: (k) => (guard(), map.delete(k)),
  };
}

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test('diagonal to horizontal follows 2·atan(tan(d/2)·w/√(w²+h²)): C920 78° diagonal', () => {
  // 16:9: tan 39° × 16/√337 = 0.70578 → 70.43°; 4:3: tan 39° × 0.8 = 0.64782 → 65.87°.
  close(horizontalFromDiagonal(78, 1920, 1080), 70.428, 1e-3);
  close(horizontalFromDiagonal(78, 640, 480), 65.8725, 1e-3);
  // Only the aspect ratio counts, not the size.
  close(horizontalFromDiagonal(78, 320, 240), horizontalFromDiagonal(78, 640, 480));
  // A square frame: w/diag = 1/√2.
  close(horizontalFromDiagonal(90, 100, 100), 2 * Math.atan(Math.SQRT1_2) * (180 / Math.PI));
  // The horizontal is always narrower than the diagonal, and wider for a wider frame.
  for (const d of [30, 55, 78, 120, 170]) {
    assert.ok(horizontalFromDiagonal(d, 640, 480) < d);
    assert.ok(horizontalFromDiagonal(d, 1280, 720) > horizontalFromDiagonal(d, 640, 480));
  }
});

test('the offer sends a diagonal setting converted at the camera’s aspect, a horizontal one as it is, the default not at all', () => {
  assert.equal(offerHfov({ degrees: 78, axis: 'diagonal' }, { width: 640, height: 480 }), 65.87);
  assert.equal(offerHfov({ degrees: 78, axis: 'diagonal' }, { width: 1280, height: 720 }), 70.43);
  assert.equal(offerHfov({ degrees: 70.5, axis: 'horizontal' }, { width: 1280, height: 720 }), 70.5);
  assert.equal(offerHfov(null, { width: 640, height: 480 }), undefined);
  // A camera that does not say its size: the 640×480 the page asks for.
  assert.equal(offerHfov({ degrees: 78, axis: 'diagonal' }, undefined), 65.87);
  assert.equal(offerHfov({ degrees: 78, axis: 'diagonal' }, { width: 0, height: 0 }), 65.87);
  // A portrait camera (a phone held upright) sees less horizontally than the same lens in landscape.
  assert.ok(offerHfov({ degrees: 78, axis: 'diagonal' }, { width: 480, height: 640 }) < 55);
});

test('a setting is a number of degrees in 1..179 on a known axis; anything else is the default', () => {
  assert.deepEqual(parseFovSetting({ degrees: '78', axis: 'diagonal' }), { degrees: 78, axis: 'diagonal' });
  assert.deepEqual(parseFovSetting({ degrees: 1, axis: 'horizontal' }), { degrees: 1, axis: 'horizontal' });
  for (const bad of [
    null,
    'x',
    {},
    { degrees: 78 },
    { degrees: 78, axis: 'vertical' },
    { degrees: NaN, axis: 'diagonal' },
    { degrees: 0, axis: 'diagonal' },
    { degrees: 180, axis: 'horizontal' },
    { degrees: '', axis: 'diagonal' },
  ]) {
    assert.equal(parseFovSetting(bad), null, JSON.stringify(bad));
  }
});

test('the setting is remembered across loads, the default removes it, and broken storage falls back to the default', () => {
  const storage = fakeStorage();
  assert.equal(loadFovSetting(storage), null, 'nothing stored: the default');
  assert.deepEqual(saveFovSetting(storage, { degrees: 78, axis: 'diagonal' }), { degrees: 78, axis: 'diagonal' });
  assert.deepEqual(JSON.parse(storage.map.get(FOV_STORAGE_KEY)), { degrees: 78, axis: 'diagonal' });
  assert.deepEqual(loadFovSetting(storage), { degrees: 78, axis: 'diagonal' });
  saveFovSetting(storage, { degrees: 70, axis: 'horizontal' });
  assert.deepEqual(loadFovSetting(storage), { degrees: 70, axis: 'horizontal' });
  assert.equal(saveFovSetting(storage, null), null);
  assert.equal(storage.map.has(FOV_STORAGE_KEY), false);
  assert.equal(loadFovSetting(storage), null);

  storage.map.set(FOV_STORAGE_KEY, '{not json');
  assert.equal(loadFovSetting(storage), null, 'garbage: the default');
  storage.map.set(FOV_STORAGE_KEY, JSON.stringify({ degrees: 500, axis: 'diagonal' }));
  assert.equal(loadFovSetting(storage), null, 'out of range: the default');

  const broken = fakeStorage({ broken: true });
  assert.equal(loadFovSetting(broken), null);
  assert.deepEqual(saveFovSetting(broken, { degrees: 55, axis: 'diagonal' }), { degrees: 55, axis: 'diagonal' });
  assert.equal(loadFovSetting(null), null, 'no storage at all');
});

test('labels and presets: diagonal values as webcams are sold, found again from a setting', () => {
  assert.equal(fovLabel(null), 'server default');
  assert.equal(fovLabel({ degrees: 78, axis: 'diagonal' }), '78° diagonal');
  assert.equal(fovLabel({ degrees: 65.9, axis: 'horizontal' }), '65.9° horizontal');
  const degrees = FOV_PRESETS.map((p) => p.degrees);
  for (const d of [55, 65, 78, 90]) assert.ok(degrees.includes(d), `preset ${d}°`);
  assert.ok(FOV_PRESETS.every((p) => p.axis === 'diagonal' && p.what));
  assert.equal(presetIndex({ degrees: 78, axis: 'diagonal' }), degrees.indexOf(78));
  assert.equal(presetIndex({ degrees: 78, axis: 'horizontal' }), -1);
  assert.equal(presetIndex({ degrees: 77, axis: 'diagonal' }), -1);
  assert.equal(presetIndex(null), -1);
});

test('the offer body carries hfov only when the page sets a field of view', () => {
  assert.deepEqual(offerBody('v=0', undefined), { type: 'offer', sdp: 'v=0', trickle: true });
  assert.deepEqual(offerBody('v=0', 65.87), { type: 'offer', sdp: 'v=0', trickle: true, hfov: 65.87 });
  assert.ok(!('hfov' in offerBody('v=0', NaN)));
});
