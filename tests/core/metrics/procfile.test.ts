import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcFile } from '../../../src/core/metrics/procfile.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-procfile-'));
  dirs.push(dir);
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, content);
  return file;
}

describe('ProcFile', () => {
  it.skipIf(process.platform !== 'linux')('reads a real /proc file again and again, current each time', () => {
    const uptime = new ProcFile('/proc/uptime');
    const first = Number(uptime.read().split(' ')[0]);
    const started = Date.now();
    while (Date.now() - started < 30) {
      // /proc/uptime has 10 ms resolution
    }
    const second = Number(uptime.read().split(' ')[0]);
    expect(second).toBeGreaterThan(first);
    expect(uptime.read()).toMatch(/^\d+\.\d+ \d+\.\d+\n$/);
    uptime.close();
  });

  it('sees a file rewritten in place, shorter or longer, and files larger than its buffer', () => {
    const file = tempFile('short\n');
    const reader = new ProcFile(file);
    expect(reader.read()).toBe('short\n');
    const big = 'x'.repeat(40_000) + '\n';
    fs.writeFileSync(file, big);
    expect(reader.read()).toBe(big);
    fs.writeFileSync(file, 'tiny');
    expect(reader.read()).toBe('tiny');
    reader.close();
  });

  it('reopens after close, and throws for a missing file', () => {
    const file = tempFile('a');
    const reader = new ProcFile(file);
    expect(reader.read()).toBe('a');
    reader.close();
    reader.close();
    expect(reader.read()).toBe('a');
    reader.close();
    expect(() => new ProcFile(path.join(path.dirname(file), 'missing')).read()).toThrow(/ENOENT/);
  });

  it.skipIf(process.platform !== 'linux')('reads /proc/stat the way readFileSync does', () => {
    const stat = new ProcFile('/proc/stat');
    const a = stat.read().split('\n')[0]!.split(/\s+/).length;
    expect(a).toBe(fs.readFileSync('/proc/stat', 'latin1').split('\n')[0]!.split(/\s+/).length);
    stat.close();
  });
});
