import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/core/log.js';
import { fakeOs, VM } from './fixtures.js';

afterEach(() => {
  vi.doUnmock('systeminformation');
  vi.doUnmock('koffi');
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

/** Records whether anything imported koffi (the real module stays in place). */
function watchKoffi(): { loaded: boolean } {
  const state = { loaded: false };
  vi.doMock('koffi', async (importOriginal) => {
    state.loaded = true;
    return importOriginal();
  });
  return state;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), setLevel() {}, close() {} };
}

describe('createMetricSources', () => {
  it('picks the Linux fast path on Linux and the portable one on request, and names each reader set', async () => {
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    const linux = await createMetricSources({ platform: 'linux' });
    expect(linux).toMatchObject({ kind: 'linux', name: 'linux /proc' });
    expect((await createMetricSources({ platform: 'linux', root: VM })).name).toBe(`linux /proc (under ${VM})`);
    expect(await createMetricSources({ platform: 'linux', portable: true })).toMatchObject({ kind: 'portable', name: 'portable' });
    expect(await createMetricSources({ platform: 'win32', portable: true })).toMatchObject({ kind: 'portable', name: 'portable' });
  });

  it.skipIf(process.platform !== 'linux')('the Linux path never loads systeminformation or koffi, through every reader and the host snapshot', async () => {
    const si = watchSystemInformation();
    const koffi = watchKoffi();
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    const sources = await createMetricSources({ platform: 'linux' });
    sources.cpu.read();
    sources.memory.read();
    sources.load.read();
    sources.network.read();
    await sources.disk.read();
    sources.host.fingerprint();
    await sources.host.snapshot();
    expect(sources.refresh).toBeUndefined();
    expect(si.loaded).toBe(false);
    expect(koffi.loaded).toBe(false);
  });

  it('the portable path loads systeminformation lazily: not when created, only when a reader needs it; never koffi', async () => {
    const si = watchSystemInformation();
    const koffi = watchKoffi();
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    const sources = await createMetricSources({ platform: 'linux', portable: true });
    sources.cpu.read();
    sources.load.read();
    sources.host.fingerprint();
    expect(si.loaded).toBe(false);
    const counters = await sources.network.read();
    expect(si.loaded).toBe(true);
    expect(counters).toEqual([{ iface: 'lo', rxBytes: 1, txBytes: 1, loopback: true, virtual: false, linkSpeedMbps: null }]);
    expect(koffi.loaded).toBe(false);
  });

  it('a koffi package missing for this OS: the portable readers take over and the log says why', async () => {
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    const logger = recordingLogger();
    // What koffi 3 throws when its platform package (@koromix/koffi-<os>-<arch>) is not installed.
    const loadKoffi = () => Promise.reject(new Error('Cannot find the native Koffi module; did you bundle it correctly?'));
    const sources = await createMetricSources({ platform: 'win32', arch: 'x64', os: fakeOs({ loadavg: () => [0, 0, 0] }), loadKoffi, logger });
    expect(sources).toMatchObject({ kind: 'portable', name: 'portable', platform: 'win32' });
    expect(logger.lines).toEqual([
      'warn windows native readers unavailable, using the portable readers: koffi did not load (@koromix/koffi-win32-x64 missing or unloadable: Cannot find the native Koffi module; did you bundle it correctly?)',
    ]);
    // Windows has no load average: null on the portable path too, never zeros.
    expect(sources.load.read()).toBeNull();
  });

  it.skipIf(process.platform !== 'linux')('koffi loads but the OS calls cannot (macOS libraries on this Linux machine): portable, and the log names the library', async () => {
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    const logger = recordingLogger();
    const sources = await createMetricSources({ platform: 'darwin', logger });
    expect(sources.kind).toBe('portable');
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^warn macos native readers unavailable, using the portable readers: .*libSystem\.B\.dylib/);
    const windowsLogger = recordingLogger();
    expect((await createMetricSources({ platform: 'win32', logger: windowsLogger })).kind).toBe('portable');
    expect(windowsLogger.lines[0]).toMatch(/^warn windows native readers unavailable, using the portable readers: .*ntdll\.dll/);
  });

  it('hostInventory: false takes the host from the os module, so systeminformation is never loaded for it', async () => {
    const si = watchSystemInformation();
    const { createMetricSources } = await import('../../../src/core/metrics/index.js');
    const interfaces = { Ethernet: [{ address: '10.0.0.2', netmask: '255.0.0.0', family: 'IPv4' as const, mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: '10.0.0.2/8' }] };
    const os = fakeOs({ interfaces, cpus: () => [{ model: ' Some CPU ', speed: 1, times: { user: 1, nice: 0, sys: 1, idle: 1, irq: 0 } }], release: () => '10.0.26100' });
    const sources = await createMetricSources({ platform: 'win32', portable: true, hostInventory: false, os });
    const host = await sources.host.snapshot();
    expect(si.loaded).toBe(false);
    expect(host).toMatchObject({ platform: 'win32', os: 'Windows 10.0.26100', cpu: { model: 'Some CPU', cores: null, threads: 1 } });
    expect(host.interfaces).toEqual([{ name: 'Ethernet', mtu: null, mac: 'aa:bb:cc:dd:ee:ff', ipv4: ['10.0.0.2'], ipv6: [], loopback: false, virtual: false }]);
  });
});
