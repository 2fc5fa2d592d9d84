import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeartbeat } from './heartbeat';
// The container's probe script (plain JavaScript, no build step).
// eslint-disable-next-line @nx/enforce-module-boundaries, @typescript-eslint/no-require-imports
const { checkHeartbeat } = require('../../../docker/healthcheck.js');

describe('worker heartbeat', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-heartbeat-'));
  const file = path.join(dir, 'sub', 'alive');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('touches the file while the event loop runs, and the probe reads its age', async () => {
    await expect(checkHeartbeat(file, 1_000)).rejects.toThrow(/no heartbeat file/);
    const stop = startHeartbeat(file, 20);
    const first = fs.statSync(file).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(fs.statSync(file).mtimeMs).toBeGreaterThan(first);
    await expect(checkHeartbeat(file, 1_000)).resolves.toBeUndefined();
    stop();
    // a stuck event loop: the file stops changing and the probe fails once it is too old
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    await expect(checkHeartbeat(file, 30_000)).rejects.toThrow(/heartbeat .* is 6\d s old/);
  });
});
