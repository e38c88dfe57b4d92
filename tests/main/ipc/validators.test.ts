import { describe, expect, it } from 'vitest';
import { apiParams, chooseDataFolderParams, exportParams, externalUrl, noParams, openExternalParams, senderRejection, settingsUpdate } from '../../../src/main/ipc/validators.js';
import { VigilError } from '../../../src/shared/errors.js';
import { API_METHODS } from '../../../src/shared/api.js';

const trusted = new Set([7]);
const event = (id: number, frame: { url: string; parent: unknown } | null) => ({ sender: { id, isDestroyed: () => false, send() {} }, senderFrame: frame });

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('invalid_argument');
    return (error as VigilError).message;
  }
  throw new Error('expected a refusal');
}

describe('IPC sender check', () => {
  it('answers only the main frame of an app window on an app:// page', () => {
    expect(senderRejection(event(7, { url: 'app://vigil/index.html', parent: null }), trusted)).toBeNull();
    expect(senderRejection(event(8, { url: 'app://vigil/index.html', parent: null }), trusted)).toBe('not one of the app windows');
    expect(senderRejection(event(7, null), trusted)).toBe('the sending frame is gone');
    expect(senderRejection(event(7, { url: 'app://vigil/index.html', parent: {} }), trusted)).toBe('not the main frame');
    expect(senderRejection(event(7, { url: 'https://evil.example/x', parent: null }), trusted)).toBe('foreign page https://evil.example');
    expect(senderRejection(event(7, { url: 'file:///home/me/page.html', parent: null }), trusted)).toBe('foreign page file://');
    expect(senderRejection(event(7, { url: 'app://vigil.evil.example/index.html', parent: null }), trusted)).toMatch(/^foreign page/);
  });
});

describe('IPC payloads (the shared schemas)', () => {
  it('chart API: the same parameters as the HTTP routes', () => {
    expect(API_METHODS.every((method) => typeof apiParams[method] === 'function')).toBe(true);
    expect(apiParams.day({ date: '22-11-2026', points: 500, iface: ['eth0'] })).toEqual({ date: '22-11-2026', points: 500, iface: ['eth0'] });
    expect(apiParams.host({})).toEqual({});
    expect(refusal(() => apiParams.day({}))).toBe("day: must have required property 'date'");
    expect(refusal(() => apiParams.day({ date: 22112026 }))).toBe('day: date must be string');
    expect(refusal(() => apiParams.day({ date: '22-11-2026', points: 1e9 }))).toBe('day: points must be <= 5000');
    expect(refusal(() => apiParams.series({ from: '0', to: 1 }))).toBe('series: from must be integer');
    expect(refusal(() => apiParams.host({ __proto__x: 1 }))).toBe('host: must NOT have additional properties (__proto__x)');
    expect(refusal(() => apiParams.host('x'))).toBe('host: must be object');
    expect(refusal(() => apiParams.days({ from: 'a'.repeat(41), to: 'b' }))).toBe('days: from must NOT have more than 40 characters');
  });

  it('export: a day or a range of days, nothing else', () => {
    expect(exportParams({ from: '01-11-2026', to: '22-11-2026' })).toEqual({ from: '01-11-2026', to: '22-11-2026' });
    expect(refusal(() => exportParams({ date: '22-11-2026', path: '/etc/passwd' }))).toBe('exportCsv: must NOT have additional properties (path)');
  });

  it('settings: any subset of sections and properties, each checked against its schema', () => {
    expect(settingsUpdate({ patch: { sampling: { intervalSeconds: 5 }, peers: { list: [{ name: 'db', url: 'http://db:7470' }] } } })).toBeTruthy();
    expect(settingsUpdate({ patch: {}, secrets: { syncToken: 'abcdefgh12345678' } })).toBeTruthy();
    expect(refusal(() => settingsUpdate({ patch: { sampling: { intervalSeconds: 0 } } }))).toBe('updateSettings: patch.sampling.intervalSeconds must be >= 1');
    expect(refusal(() => settingsUpdate({ patch: { sampling: { intervalSeconds: 1.5 } } }))).toBe('updateSettings: patch.sampling.intervalSeconds must be integer');
    expect(refusal(() => settingsUpdate({ patch: { sampling: { every: 1 } } }))).toBe('updateSettings: patch.sampling must NOT have additional properties (every)');
    expect(refusal(() => settingsUpdate({ patch: { nonsense: {} } }))).toBe('updateSettings: patch must NOT have additional properties (nonsense)');
    expect(refusal(() => settingsUpdate({ patch: { log: { level: 'loud' } } }))).toBe('updateSettings: patch.log.level must be equal to one of the allowed values');
    expect(refusal(() => settingsUpdate({ patch: { peers: { list: [{ name: 'x', url: 'javascript:alert(1)' }] } } }))).toMatch(/^updateSettings: patch\.peers\.list\.0\.url must match pattern/);
    expect(refusal(() => settingsUpdate({ patch: {}, secrets: { syncToken: 'a\nb' } }))).toMatch(/^updateSettings: secrets\.syncToken must match pattern/);
    expect(refusal(() => settingsUpdate({}))).toBe("updateSettings: must have required property 'patch'");
  });

  it('settings: the three secrets the window sets (hub token, SMTP password, InfluxDB token), nothing else', () => {
    expect(settingsUpdate({ patch: {}, secrets: { influxToken: 'user:pass word' } })).toEqual({ patch: {}, secrets: { influxToken: 'user:pass word' } });
    expect(settingsUpdate({ patch: {}, secrets: { syncToken: '', smtpPassword: '', influxToken: '' } })).toBeTruthy();
    expect(refusal(() => settingsUpdate({ patch: {}, secrets: { influxToken: 'a\r\nb' } }))).toMatch(/^updateSettings: secrets\.influxToken must match pattern/);
    expect(refusal(() => settingsUpdate({ patch: {}, secrets: { influxToken: 'x'.repeat(4097) } }))).toBe('updateSettings: secrets.influxToken must NOT have more than 4096 characters');
    expect(refusal(() => settingsUpdate({ patch: {}, secrets: { influxToken: 42 } }))).toBe('updateSettings: secrets.influxToken must be string');
    expect(refusal(() => settingsUpdate({ patch: {}, secrets: { hubPassword: 'x' } }))).toBe('updateSettings: secrets must NOT have additional properties (hubPassword)');
  });

  it('choosing the data folder: the page may ask for the dialog or the default folder, never name a path', () => {
    expect(chooseDataFolderParams({})).toEqual({});
    expect(chooseDataFolderParams({ useDefault: true })).toEqual({ useDefault: true });
    expect(refusal(() => chooseDataFolderParams({ path: '/etc' }))).toBe('chooseDataFolder: must NOT have additional properties (path)');
    expect(refusal(() => chooseDataFolderParams({ useDefault: 'yes' }))).toBe('chooseDataFolder: useDefault must be boolean');
  });

  it('parameterless calls take an empty object only', () => {
    expect(noParams({})).toEqual({});
    expect(refusal(() => noParams({ x: 1 }))).toBe('params: must NOT have additional properties (x)');
    expect(refusal(() => openExternalParams({}))).toBe("openExternal: must have required property 'url'");
  });
});

describe('openExternal helper', () => {
  it('http and https only, never with credentials', () => {
    expect(externalUrl('https://example.org/a?b#c')).toBe('https://example.org/a?b#c');
    expect(externalUrl('http://127.0.0.1:7470/')).toBe('http://127.0.0.1:7470/');
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://server/share', 'vscode://x', 'ms-settings:', 'data:text/html,x', 'https://user:pw@example.org/', 'nope']) {
      expect(() => externalUrl(bad), bad).toThrow(VigilError);
    }
  });
});
