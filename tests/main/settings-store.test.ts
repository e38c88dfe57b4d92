// The app's settings go through electron-store (the real library, loaded against a stub
// 'electron' module), into the very file the agent reads through conf: same schema, same format.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSettingsFile } from '../../src/core/settings.js';
import { openAppSettings } from '../../src/main/settings-store.js';
import { VigilError } from '../../src/shared/errors.js';
import { defaultSettings } from '../../src/shared/settings.js';
import { tempDir } from '../helpers/tmp.js';
import { loadElectronStore } from './helpers/electron-module.js';

async function appStore(dataDir: string) {
  const Store = await loadElectronStore({ app: { getPath: () => path.join(dataDir, 'not-used'), getVersion: () => '0.0.0' }, ipcMain: { on: () => undefined }, shell: {} });
  return openAppSettings(Store, dataDir);
}

describe('app settings (electron-store) and agent settings (conf): one file', () => {
  it('a fresh store has every default and lives at <data-dir>/config.json', async () => {
    const dataDir = tempDir();
    const store = await appStore(dataDir);
    expect(store.path).toBe(path.join(dataDir, 'config.json'));
    expect(store.get()).toEqual(defaultSettings());
  });

  it('what the app writes, the agent reads; what the agent writes, the app reads', async () => {
    const dataDir = tempDir();
    const app = await appStore(dataDir);
    app.update({ sampling: { intervalSeconds: 5 }, peers: { list: [{ name: 'db-1', url: 'http://db-1:7470' }] }, smtp: { to: ['ops@example.org'] } });
    const agent = await openSettingsFile(path.join(dataDir, 'config.json'));
    expect(agent.get()).toEqual(app.get());
    expect(agent.get().sampling.intervalSeconds).toBe(5);
    agent.update({ storage: { rawRetentionDays: 7 }, log: { level: 'debug' } });
    const reopened = await appStore(dataDir);
    expect(reopened.get().storage.rawRetentionDays).toBe(7);
    expect(reopened.get().log.level).toBe('debug');
    expect(reopened.get().peers.list).toEqual([{ name: 'db-1', url: 'http://db-1:7470' }]);
    // Plain JSON a person can read and edit.
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8'))).toMatchObject({ sampling: { intervalSeconds: 5 }, storage: { rawRetentionDays: 7 } });
  });

  it('an invalid change is refused with the field named, and nothing is written', async () => {
    const dataDir = tempDir();
    const store = await appStore(dataDir);
    store.update({ sampling: { intervalSeconds: 2 } });
    const before = fs.readFileSync(store.path, 'utf8');
    let error: unknown;
    try {
      store.update({ sampling: { intervalSeconds: 0 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('invalid_settings');
    expect((error as VigilError).message).toMatch(/sampling.*intervalSeconds|intervalSeconds/);
    expect(fs.readFileSync(store.path, 'utf8')).toBe(before);
    expect(store.get().sampling.intervalSeconds).toBe(2);
  });

  it('a file the agent would refuse, the app refuses too (invalid_settings naming the file)', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ sampling: { intervalSeconds: 'often' } }));
    await expect(appStore(dataDir)).rejects.toMatchObject({ code: 'invalid_settings', message: expect.stringContaining(path.join(dataDir, 'config.json')) });
    await expect(openSettingsFile(path.join(dataDir, 'config.json'))).rejects.toMatchObject({ code: 'invalid_settings' });
    fs.writeFileSync(path.join(dataDir, 'config.json'), '{ not json');
    await expect(appStore(dataDir)).rejects.toMatchObject({ code: 'invalid_settings' });
  });

  it('a section written by a newer Vigil is kept, not refused', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ futureFeature: { on: true }, sampling: { intervalSeconds: 3 } }));
    const store = await appStore(dataDir);
    store.update({ csv: { retentionDays: 0 } });
    const saved = JSON.parse(fs.readFileSync(store.path, 'utf8')) as Record<string, unknown>;
    expect(saved.futureFeature).toEqual({ on: true });
    expect(store.get().sampling.intervalSeconds).toBe(3);
  });
});
