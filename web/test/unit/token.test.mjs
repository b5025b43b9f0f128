// The page's access token comes from its URL fragment (docs/security.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenFromUrl } from '../../src/session.js';

test('token is read from #token=… and nothing else', () => {
  assert.equal(tokenFromUrl('#token=abc123DEF456ghi789'), 'abc123DEF456ghi789');
  assert.equal(tokenFromUrl('#view=1&token=a%2Bb%2Fc'), 'a+b/c');
  assert.equal(tokenFromUrl(''), null);
  assert.equal(tokenFromUrl('#token='), null);
  assert.equal(tokenFromUrl('#other=1'), null);
});
