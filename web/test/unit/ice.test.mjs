// Unit tests for the ICE parts of src/session.js: the failure message and the config fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeIceFailure, fetchIceServers, isPrivateAddress } from '../../src/session.js';

const PRIVATE_HOST = 'candidate:1512880082 1 udp 2122194687 10.80.2.2 50000 typ host generation 0';
const PRIVATE_TCP = 'candidate:618878282 1 tcp 1518214911 10.80.2.2 50000 typ host tcptype passive generation 0';
const PUBLIC_HOST = 'candidate:1512880082 1 udp 2122194687 203.0.113.10 50000 typ host generation 0';

test('private addresses: RFC 1918, CGNAT, link-local, loopback, ULA; not public ones', () => {
  for (const a of [
    '10.1.2.3',
    '192.168.0.1',
    '172.16.0.1',
    '172.31.255.1',
    '100.64.0.1',
    '169.254.1.1',
    '127.0.0.1',
    'fd00::2',
    'fe80::1',
  ]) {
    assert.ok(isPrivateAddress(a), a);
  }
  for (const a of ['203.0.113.10', '172.32.0.1', '8.8.8.8', '100.128.0.1', '2001:db8::1']) {
    assert.ok(!isPrivateAddress(a), a);
  }
});

test('ICE failure against private-only server candidates names --announced-ip and lists them', () => {
  const m = describeIceFailure([PRIVATE_HOST, PRIVATE_TCP], '203.0.113.10');
  assert.match(m, /ICE failed/);
  assert.match(m, /--announced-ip/);
  assert.match(m, /10\.80\.2\.2:50000 udp host, 10\.80\.2\.2:50000 tcp host/);
});

test('ICE failure with reachable-looking candidates points at the firewall and TURN instead', () => {
  const m = describeIceFailure([PUBLIC_HOST], '203.0.113.10');
  assert.doesNotMatch(m, /--announced-ip/);
  assert.match(m, /--ice-port-range/);
  assert.match(m, /turn:/);
  // A page on the same private network as the server: private candidates are not the cause.
  assert.doesNotMatch(describeIceFailure([PRIVATE_HOST], '10.80.2.2'), /--announced-ip/);
  assert.match(describeIceFailure([], '203.0.113.10'), /Server candidates: none/);
});

test('fetchIceServers: the server list, [] from an older server (404), errors otherwise', async () => {
  const saved = globalThis.fetch;
  try {
    const servers = [{ urls: ['turn:203.0.113.10:3478?transport=tcp'], username: '1:x', credential: 'c' }];
    globalThis.fetch = async (path) => {
      assert.equal(path, '/api/config');
      return new Response(JSON.stringify({ iceServers: servers }), { status: 200 });
    };
    assert.deepEqual(await fetchIceServers(), servers);
    globalThis.fetch = async () => new Response('{"error":"not found"}', { status: 404 });
    assert.deepEqual(await fetchIceServers(), []);
    globalThis.fetch = async () => new Response('{"error":"internal error"}', { status: 500 });
    await assert.rejects(fetchIceServers(), /HTTP 500/);
  } finally {
    globalThis.fetch = saved;
  }
});
