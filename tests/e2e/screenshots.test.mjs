// The README's pictures can still be taken (`cargo xtask screenshots`, screenshots.mjs): every
// one is a PNG of the viewport's size, and no two are the same picture. On the demo shop only
// (the pictures show its data).
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import { launchBrowser } from './helpers.mjs';
import { SHOTS, VIEWPORT, takeScreenshots } from './screenshots.mjs';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('README screenshots', { skip: COMMERCE !== 'embedded' && 'the pictures show the demo shop' }, () => {
  let server;
  let browser;
  let dir;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'asm-shots-'));
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('takes the bar, the search, an emulation and Customer 360° from the release bundle', async () => {
    const files = await takeScreenshots({ server, browser, dir });
    assert.deepEqual(files.map((f) => path.basename(f)), SHOTS);
    const seen = new Set();
    for (const file of files) {
      const png = await fs.readFile(file);
      assert.ok(png.subarray(0, 8).equals(PNG), `${file} is a PNG`);
      // IHDR: width and height, big-endian, at bytes 16 and 20.
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [VIEWPORT.width, VIEWPORT.height], file);
      assert.ok(png.length > 20_000, `${file}: ${png.length} bytes, too small to show the page`);
      const key = png.toString('base64');
      assert.ok(!seen.has(key), `${file} differs from the others`);
      seen.add(key);
    }
  });
});
