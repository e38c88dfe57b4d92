import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/core/http-client.js';
import { silentLogger } from '../../src/core/log.js';
import { Runtime } from '../../src/core/runtime.js';
import { defaultSettings, mergeSettings } from '../../src/shared/settings.js';
import { tempDir } from '../helpers/tmp.js';

describe('runtime', () => {
  it('serves /health with a stable machine id, and answers 404 elsewhere', async () => {
    const dataDir = tempDir();
    const settings = mergeSettings(defaultSettings(), { server: { enabled: true, port: 0 }, machine: { name: 'test-box' } });
    const runtime = await Runtime.start({ dataDir, settings, logger: silentLogger, role: 'agent' });
    try {
      expect(runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = (await httpRequest({ url: `${runtime.url}/health` })).json<Record<string, unknown>>();
      expect(health).toMatchObject({ name: 'test-box', state: 'running' });
      expect(health.id).toBe(fs.readFileSync(path.join(dataDir, 'machine-id'), 'utf8').trim());
      runtime.engine.pause();
      expect((await httpRequest({ url: `${runtime.url}/health` })).json<{ state: string }>().state).toBe('paused');
      runtime.setSleeping(true);
      expect((await httpRequest({ url: `${runtime.url}/health` })).json<{ state: string }>().state).toBe('sleeping');
      const missing = await httpRequest({ url: `${runtime.url}/nothing` });
      expect(missing.status).toBe(404);
    } finally {
      await runtime.stop();
    }
    // Same data dir, same id.
    const again = await Runtime.start({ dataDir, settings, logger: silentLogger, role: 'agent' });
    const id = (await httpRequest({ url: `${again.url}/health` })).json<{ id: string }>().id;
    await again.stop();
    expect(id).toBe(fs.readFileSync(path.join(dataDir, 'machine-id'), 'utf8').trim());
  });

  it('a port in use is a clear error and releases the data dir', async () => {
    const dataDir = tempDir();
    const first = await Runtime.start({ dataDir, settings: mergeSettings(defaultSettings(), { server: { enabled: true, port: 0 } }), logger: silentLogger, role: 'agent' });
    const port = Number(new URL(first.url!).port);
    const otherDir = tempDir();
    await expect(Runtime.start({ dataDir: otherDir, settings: mergeSettings(defaultSettings(), { server: { enabled: true, port } }), logger: silentLogger, role: 'agent' })).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
    await first.stop();
    // The failed start released its lock: a new start on that dir works.
    const retry = await Runtime.start({ dataDir: otherDir, settings: defaultSettings(), logger: silentLogger, role: 'agent' });
    await retry.stop();
  });
});
