import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildState, ensureDashboard } from './dashboard';

describe('dashboard build for engram up', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-dashboard-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const touch = (file: string, secondsAgo: number) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    const time = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(file, time, time);
  };

  it('is missing without index.html, stale when a source is newer, fresh otherwise', () => {
    const src = path.join(dir, 'src');
    const out = path.join(dir, 'dist');
    touch(path.join(src, 'main.ts'), 60);
    touch(path.join(src, 'nested/view.ts'), 50);
    expect(buildState(out, [src])).toBe('missing');
    touch(path.join(out, 'index.html'), 40);
    expect(buildState(out, [src])).toBe('fresh');
    touch(path.join(src, 'nested/view.ts'), 30);
    expect(buildState(out, [src])).toBe('stale');
    // Tests are not part of the build.
    touch(path.join(out, 'index.html'), 20);
    touch(path.join(src, 'nested/view.spec.ts'), 10);
    touch(path.join(src, 'page.int-spec.ts'), 10);
    expect(buildState(out, [src, path.join(dir, 'absent.ts')])).toBe('fresh');
  });

  it('reports a failed build and leaves nothing half-written', async () => {
    const lines: string[] = [];
    const out = path.join(dir, 'dist');
    const served = await ensureDashboard({
      outDir: out,
      log: (line) => lines.push(line),
      config: path.join(dir, 'no-such-vite.config.ts'),
    });
    expect(served).toBe(false);
    const text = lines.join('\n');
    expect(text).toMatch(/building \(no build yet\)/);
    expect(text).toMatch(/the build failed: vite build exited with 1/);
    expect(text).toMatch(/runs without the dashboard/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
