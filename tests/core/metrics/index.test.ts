import { afterEach, describe, expect, it, vi } from 'vitest';
import { VM } from './fixtures.js';

afterEach(() => {
  vi.doUnmock('systeminformation');
  vi.resetModules();
});

/** Mocks systeminformation and records whether anything imported it. */
function watchSystemInformation(): { loaded: boolean } {
  const state = { loaded: false };
  vi.doMock('systeminformation', () => {
    state.loaded = true;
    const si = {
      mem: async () => ({ free: 1, available: 1, swaptotal: 0, swapused: 0 }),
      networkStats: async () => [{ iface: 'lo', rx_bytes: 1, tx_bytes: 1 }],
      fsSize: async () => [],
      osInfo: async () => ({ distro: 'X', release: '1', codename: '' }),
      cpu: async () => ({ manufacturer: 'X', brand: 'Y', physicalCores: 1, cores: 1, speedMax: 0 }),
      networkInterfaces: async () => [],
    };
    return { ...si, default: si };
  });
  return state;
}

describe('createMetricSources', () => {
  it('picks the Linux fast path on Linux and the portable one elsewhere or on request', async () => {
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    expect(createMetricSources({ platform: 'linux', root: VM }).kind).toBe('linux');
    expect(createMetricSources({ platform: 'linux', portable: true }).kind).toBe('portable');
    expect(createMetricSources({ platform: 'darwin' }).kind).toBe('portable');
    const windows = createMetricSources({ platform: 'win32' });
    expect(windows.kind).toBe('portable');
    expect(windows.load.read()).toBeNull();
    expect(createMetricSources({ platform: 'linux', root: VM }).name).toContain(VM);
  });

  it('the Linux path never loads systeminformation, through every reader and the host snapshot', async () => {
    const si = watchSystemInformation();
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    const sources = createMetricSources({ platform: 'linux' });
    sources.cpu.read();
    sources.memory.read();
    sources.load.read();
    sources.network.read();
    await sources.disk.read();
    sources.host.fingerprint();
    await sources.host.snapshot();
    expect(sources.refresh).toBeUndefined();
    expect(si.loaded).toBe(false);
  });

  it('the portable path loads it lazily: not when created, only when a reader needs it', async () => {
    const si = watchSystemInformation();
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    const sources = createMetricSources({ platform: 'linux', portable: true });
    sources.cpu.read();
    sources.load.read();
    sources.host.fingerprint();
    expect(si.loaded).toBe(false);
    const counters = await sources.network.read();
    expect(si.loaded).toBe(true);
    expect(counters).toEqual([{ iface: 'lo', rxBytes: 1, txBytes: 1, loopback: true, virtual: false, linkSpeedMbps: null }]);
  });
});
