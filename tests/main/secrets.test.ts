import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SMTP_PASSWORD_FILE, prepareSecrets, secretsState, writeSecretFile } from '../../src/main/secrets.js';
import { defaultSettings, mergeSettings } from '../../src/shared/settings.js';
import { tempDir } from '../helpers/tmp.js';

describe('secrets from the settings window', () => {
  it('the hub token goes to sync-token (0600), never into the settings', () => {
    const dataDir = tempDir();
    const settings = defaultSettings();
    const prepared = prepareSecrets({ syncToken: '  token-0123456789  ' }, settings);
    expect(prepared.patch).toEqual({});
    prepared.write(dataDir, settings);
    const file = path.join(dataDir, 'sync-token');
    expect(fs.readFileSync(file, 'utf8')).toBe('token-0123456789\n');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(secretsState(dataDir, settings)).toEqual({ syncToken: true, smtpPassword: false, influxToken: false });
    prepareSecrets({ syncToken: '' }, settings).write(dataDir, settings);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a bad hub token is refused before anything is written', () => {
    expect(() => prepareSecrets({ syncToken: 'has space inside' }, defaultSettings())).toThrow(/not valid/);
    expect(() => prepareSecrets({ syncToken: 'short' }, defaultSettings())).toThrow(/not valid/);
  });

  it('the SMTP password gets a file of its own, and the settings name it', () => {
    const dataDir = tempDir();
    const prepared = prepareSecrets({ smtpPassword: 'p@ss word' }, defaultSettings());
    expect(prepared.patch).toEqual({ smtp: { passwordFile: DEFAULT_SMTP_PASSWORD_FILE } });
    const saved = mergeSettings(defaultSettings(), prepared.patch);
    prepared.write(dataDir, saved);
    expect(fs.readFileSync(path.join(dataDir, 'smtp-password'), 'utf8')).toBe('p@ss word\n');
    expect(secretsState(dataDir, saved).smtpPassword).toBe(true);
    // A password written in the URL counts as set.
    expect(secretsState(dataDir, mergeSettings(defaultSettings(), { smtp: { url: 'smtps://me:pw@mail.example:465' } })).smtpPassword).toBe(true);
  });

  it('the InfluxDB token goes to influx-token (0600), or to influx.tokenFile, never into the settings', () => {
    const dataDir = tempDir();
    const settings = defaultSettings();
    const prepared = prepareSecrets({ influxToken: ' admin:s3cret ' }, settings);
    expect(prepared.patch).toEqual({});
    prepared.write(dataDir, settings);
    const file = path.join(dataDir, 'influx-token');
    expect(fs.readFileSync(file, 'utf8')).toBe('admin:s3cret\n');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(secretsState(dataDir, settings)).toEqual({ syncToken: false, smtpPassword: false, influxToken: true });
    // Where the settings name another file, that file (relative to the data folder).
    const elsewhere = mergeSettings(defaultSettings(), { influx: { tokenFile: 'secrets/influx' } });
    prepareSecrets({ influxToken: 'api-token-xyz' }, elsewhere).write(dataDir, elsewhere);
    expect(fs.readFileSync(path.join(dataDir, 'secrets', 'influx'), 'utf8')).toBe('api-token-xyz\n');
    expect(secretsState(dataDir, elsewhere).influxToken).toBe(true);
    // An empty value removes it.
    prepareSecrets({ influxToken: '' }, settings).write(dataDir, settings);
    expect(fs.existsSync(file)).toBe(false);
    expect(secretsState(dataDir, settings).influxToken).toBe(false);
  });

  it('a bad InfluxDB token (spaces inside: it goes into an HTTP header) is refused before anything is written', () => {
    expect(() => prepareSecrets({ influxToken: 'two words' }, defaultSettings())).toThrow(/InfluxDB token typed in the settings window is not valid/);
  });

  it('leaving the fields alone changes nothing', () => {
    const dataDir = tempDir();
    writeSecretFile(path.join(dataDir, 'sync-token'), 'token-0123456789');
    prepareSecrets(undefined, defaultSettings()).write(dataDir, defaultSettings());
    prepareSecrets({}, defaultSettings()).write(dataDir, defaultSettings());
    expect(fs.readFileSync(path.join(dataDir, 'sync-token'), 'utf8')).toBe('token-0123456789\n');
  });
});
