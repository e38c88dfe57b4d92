import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSettingsFile } from '../../src/core/settings.js';
import { VigilError } from '../../src/shared/errors.js';
import { defaultSettings, mergeSettings } from '../../src/shared/settings.js';
import { tempDir } from '../helpers/tmp.js';

describe('settings file (conf + the shared schema)', () => {
  it('a missing file gives every default', async () => {
    const file = path.join(tempDir(), 'config.json');
    const store = await openSettingsFile(file);
    expect(store.get()).toEqual(defaultSettings());
    expect(store.get().sampling.intervalSeconds).toBe(1);
    expect(store.get().storage.rawRetentionDays).toBe(30);
    expect(store.get().storage.minuteRetentionDays).toBe(365);
  });

  it('a partial file is completed with defaults; unknown top-level sections are tolerated', async () => {
    const file = path.join(tempDir(), 'config.json');
    fs.writeFileSync(file, JSON.stringify({ sampling: { intervalSeconds: 5 }, futureFeature: { on: true } }));
    const store = await openSettingsFile(file);
    expect(store.get().sampling).toEqual({ intervalSeconds: 5, diskIntervalSeconds: 60 });
    expect(store.get().log.level).toBe('info');
  });

  it.each([
    [{ sampling: { intervalSeconds: 0 } }, 'sampling/intervalSeconds'],
    [{ sampling: { intervalSeconds: 3601 } }, 'sampling/intervalSeconds'],
    [{ sampling: { intervalSeconds: 1.5 } }, 'must be integer'],
    [{ sampling: { intervlSeconds: 2 } }, 'unknown key "sampling.intervlSeconds" (did you mean "sampling.intervalSeconds"?)'],
    [{ log: { level: 'verbose' } }, 'log/level'],
    [{ storage: { rawRetentionDays: '30' } }, 'storage/rawRetentionDays'],
  ])('refuses %j, naming the field', async (content, fragment) => {
    const file = path.join(tempDir(), 'config.json');
    fs.writeFileSync(file, JSON.stringify(content));
    const error = await openSettingsFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('invalid_settings');
    expect((error as VigilError).message).toContain(fragment);
    expect((error as VigilError).message).toContain(file);
  });

  it('refuses malformed JSON and leaves the file as it was', async () => {
    const file = path.join(tempDir(), 'config.json');
    fs.writeFileSync(file, '{ "sampling": ');
    await expect(openSettingsFile(file)).rejects.toThrow(/not valid JSON/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "sampling": ');
  });

  it('update validates, persists, and changes nothing when invalid', async () => {
    const file = path.join(tempDir(), 'settings', 'vigil.json');
    const store = await openSettingsFile(file);
    store.update({ sampling: { intervalSeconds: 10 } });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).sampling.intervalSeconds).toBe(10);
    expect(() => store.update({ sampling: { intervalSeconds: 0 } })).toThrow(VigilError);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).sampling.intervalSeconds).toBe(10);
    expect((await openSettingsFile(file)).get().sampling.intervalSeconds).toBe(10);
  });

  it('mergeSettings overrides only what is given', () => {
    const merged = mergeSettings(defaultSettings(), { sampling: { intervalSeconds: 7 } });
    expect(merged.sampling).toEqual({ intervalSeconds: 7, diskIntervalSeconds: 60 });
    expect(merged.storage).toEqual(defaultSettings().storage);
  });
});
