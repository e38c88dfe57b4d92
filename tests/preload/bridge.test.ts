import { describe, expect, it } from 'vitest';
import { createBridge, typedInvoke, type IpcRendererLike } from '../../src/preload/bridge.js';
import { apiChannel, appChannel, EXPORT_CHANNEL, EXPORT_PROGRESS_CHANNEL } from '../../src/shared/ipc-channels.js';
import { API_METHODS } from '../../src/shared/api.js';
import { APP_METHODS } from '../../src/shared/app-ipc.js';

function recordingIpc(answer: (channel: string, params: unknown) => unknown = () => ({ value: null })) {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc: IpcRendererLike = {
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      return answer(channel, args[0]);
    },
    on(channel, listener) {
      (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
  };
  return { ipc, invoked, listeners, emit: (channel: string, ...args: unknown[]) => listeners.get(channel)?.forEach((l) => l({}, ...args)) };
}

describe('preload bridge', () => {
  it('one typed invoke: the channel map decides the channels, their parameters and their answers', async () => {
    const recorder = recordingIpc((channel) => ({ value: channel }));
    const invoke = typedInvoke(recorder.ipc);
    const opened = await invoke('vigil:app:openExternal', { url: 'https://example.org' });
    expect(opened).toEqual({ value: 'vigil:app:openExternal' });
    // These do not compile (npm run typecheck checks the test files): a wrong parameter shape, a
    // channel the map does not have, an answer read as the wrong type.
    // @ts-expect-error openExternal takes { url }
    void invoke('vigil:app:openExternal', { href: 'https://example.org' });
    // @ts-expect-error no such channel
    void invoke('vigil:app:runCommand', {});
    const settings = await invoke('vigil:app:getSettings');
    // @ts-expect-error a SettingsView has no `rows`
    void (settings.value?.rows as unknown);
    expect(recorder.invoked.map((call) => call.channel)).toEqual(['vigil:app:openExternal', 'vigil:app:openExternal', 'vigil:app:runCommand', 'vigil:app:getSettings']);
  });

  it('one named function per contract method; no ipcRenderer, no channel names, no generic send', () => {
    const { api, app } = createBridge(recordingIpc().ipc);
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'exportCsv', 'cancelExport'].sort());
    expect(Object.keys(app).sort()).toEqual([...APP_METHODS].sort());
    for (const fn of [...Object.values(api), ...Object.values(app)]) expect(typeof fn).toBe('function');
  });

  it('each function invokes its own channel with exactly one plain parameter object', async () => {
    const { ipc, invoked } = recordingIpc((channel) => ({ value: channel }));
    const { api, app } = createBridge(ipc);
    expect(await api.day({ date: '22-11-2026' })).toEqual({ value: apiChannel('day') });
    await api.host(undefined as never);
    await app.getSettings();
    await app.updateSettings({ patch: { sampling: { intervalSeconds: 5 } } });
    await app.openExternal({ url: 'https://example.org' });
    await api.cancelExport();
    expect(invoked).toEqual([
      { channel: 'vigil:api:day', args: [{ date: '22-11-2026' }] },
      { channel: 'vigil:api:host', args: [{}] },
      { channel: appChannel('getSettings'), args: [{}] },
      { channel: appChannel('updateSettings'), args: [{ patch: { sampling: { intervalSeconds: 5 } } }] },
      { channel: appChannel('openExternal'), args: [{ url: 'https://example.org' }] },
      { channel: 'vigil:api:exportCsv:cancel', args: [{}] },
    ]);
    expect(() => api.day('22-11-2026' as never)).toThrow(/parameters must be an object/);
    expect(() => api.day([1] as never)).toThrow(/parameters must be an object/);
  });

  it('export: progress events reach the callback while the export runs, and the listener goes away after', async () => {
    let finish!: (value: unknown) => void;
    const recorder = recordingIpc((channel) => (channel === EXPORT_CHANNEL ? new Promise((resolve) => (finish = resolve)) : { value: null }));
    const { api } = createBridge(recorder.ipc);
    const progress: [number, number][] = [];
    const running = api.exportCsv({ date: '22-11-2026' }, (done, total) => progress.push([done, total]));
    await Promise.resolve();
    expect(recorder.listeners.get(EXPORT_PROGRESS_CHANNEL)?.size).toBe(1);
    recorder.emit(EXPORT_PROGRESS_CHANNEL, { done: 10, total: 100 });
    recorder.emit(EXPORT_PROGRESS_CHANNEL, { done: 'x' });
    recorder.emit(EXPORT_PROGRESS_CHANNEL, { done: 100, total: 100 });
    finish({ value: { rows: 100, fileName: '/tmp/x.csv' } });
    expect(await running).toEqual({ value: { rows: 100, fileName: '/tmp/x.csv' } });
    expect(progress).toEqual([
      [10, 100],
      [100, 100],
    ]);
    expect(recorder.listeners.get(EXPORT_PROGRESS_CHANNEL)?.size).toBe(0);
    expect(recorder.invoked.at(-1)).toEqual({ channel: EXPORT_CHANNEL, args: [{ date: '22-11-2026' }] });
  });
});
