import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_UNKNOWN_LINK_BITS_PER_SECOND,
  NetRateTracker,
  classifyByName,
  classifyLinuxInterface,
  createLinuxNetworkReader,
  createPortableNetworkReader,
  parseProcNetDev,
} from '../../../src/core/metrics/network.js';
import type { NetCounter, SystemInformation } from '../../../src/core/metrics/types.js';
import { VigilError } from '../../../src/shared/errors.js';
import { SERVER, VM, VM_LATER, copyFixture, fixtureText } from './fixtures.js';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function counter(iface: string, rxBytes: number, txBytes: number, extra: Partial<NetCounter> = {}): NetCounter {
  return { iface, rxBytes, txBytes, loopback: false, virtual: false, linkSpeedMbps: null, ...extra };
}

describe('parseProcNetDev', () => {
  it('reads every interface of a recorded /proc/net/dev', () => {
    const text = fixtureText(VM, 'proc/net/dev');
    const entries = parseProcNetDev(text);
    expect(entries.map((e) => e.iface).sort()).toEqual(['eth0', 'ifb0', 'ifb1', 'lo']);
    const lo = entries.find((e) => e.iface === 'lo')!;
    const columns = text.split('\n').find((l) => l.trim().startsWith('lo:'))!.split(':')[1]!.trim().split(/\s+/);
    expect(lo.rxBytes).toBe(Number(columns[0]));
    expect(lo.txBytes).toBe(Number(columns[8]));
  });

  it('splits a long name glued to its first counter, and names with dots', () => {
    const entries = parseProcNetDev(fixtureText(SERVER, 'proc/net/dev'));
    expect(entries).toHaveLength(10);
    const counts = { rxErrors: 0, txErrors: 0, rxDrops: 0, txDrops: 0 };
    expect(entries.find((e) => e.iface === 'enx00e04c680001')).toEqual({ iface: 'enx00e04c680001', rxBytes: 123456789, txBytes: 98765432, rxPackets: 100000, txPackets: 90000, ...counts });
    expect(entries.find((e) => e.iface === 'eth0.100')).toEqual({ iface: 'eth0.100', rxBytes: 300000, txBytes: 400000, rxPackets: 400, txPackets: 500, ...counts });
  });

  it('reads packets, errors and drops from their columns (receive 2–4, transmit 10–12)', () => {
    const [entry] = parseProcNetDev('  eth0: 1000 10 2 3 0 0 0 0 2000 20 4 5 0 0 0 0\n');
    expect(entry).toEqual({ iface: 'eth0', rxBytes: 1000, rxPackets: 10, rxErrors: 2, rxDrops: 3, txBytes: 2000, txPackets: 20, txErrors: 4, txDrops: 5 });
  });

  it('rejects a malformed line', () => {
    expect(() => parseProcNetDev('  eth0: 1 2 3\n')).toThrow(VigilError);
    expect(() => parseProcNetDev('  eth0: x 0 0 0 0 0 0 0 5 0 0 0 0 0 0 0\n')).toThrow(/unexpected \/proc\/net\/dev/);
  });
});

describe('interface classification', () => {
  it('Linux: loopback from the IFF_LOOPBACK flag, virtual when /sys/class/net/<if> resolves under devices/virtual', () => {
    expect(classifyLinuxInterface(VM, 'lo')).toEqual({ loopback: true, virtual: false, linkSpeedMbps: null });
    expect(classifyLinuxInterface(VM, 'ifb0')).toEqual({ loopback: false, virtual: true, linkSpeedMbps: null });
    // virtio reports speed -1: unknown
    expect(classifyLinuxInterface(VM, 'eth0')).toEqual({ loopback: false, virtual: false, linkSpeedMbps: null });
  });

  it('Linux: physical NICs keep their link speed; virtual ones never do (their speeds are made up)', () => {
    expect(classifyLinuxInterface(SERVER, 'eth0')).toEqual({ loopback: false, virtual: false, linkSpeedMbps: 1000 });
    expect(classifyLinuxInterface(SERVER, 'enx00e04c680001')).toEqual({ loopback: false, virtual: false, linkSpeedMbps: 100 });
    expect(classifyLinuxInterface(SERVER, 'wlan0')).toEqual({ loopback: false, virtual: false, linkSpeedMbps: null });
    for (const name of ['docker0', 'veth1a2b3c4', 'br-5f3e2a1b', 'bond0', 'eth0.100']) {
      expect(classifyLinuxInterface(SERVER, name), name).toEqual({ loopback: false, virtual: true, linkSpeedMbps: null });
    }
  });

  it('Linux: an interface missing from /sys falls back to its name', () => {
    expect(classifyLinuxInterface(SERVER, 'tun0')).toEqual({ loopback: false, virtual: true, linkSpeedMbps: null });
    expect(classifyLinuxInterface(SERVER, 'eth9')).toEqual({ loopback: false, virtual: false, linkSpeedMbps: null });
  });

  it('by name (macOS, Windows, no /sys)', () => {
    const table: [string, boolean, boolean][] = [
      ['lo', true, false],
      ['lo0', true, false],
      ['Loopback Pseudo-Interface 1', true, false],
      ['en0', false, false],
      ['eth0', false, false],
      ['Ethernet', false, false],
      ['Wi-Fi', false, false],
      ['wlp3s0', false, false],
      ['utun3', false, true],
      ['awdl0', false, true],
      ['bridge100', false, true],
      ['docker0', false, true],
      ['veth9a8b', false, true],
      ['wg0', false, true],
      ['vEthernet (WSL)', false, true],
      ['VirtualBox Host-Only Network', false, true],
      ['VMware Network Adapter VMnet8', false, true],
      ['eth0.100', false, true],
    ];
    for (const [name, loopback, virtual] of table) expect(classifyByName(name), name).toEqual({ loopback, virtual });
    expect(classifyByName('Npcap thing', true)).toEqual({ loopback: true, virtual: false });
  });
});

describe('NetRateTracker', () => {
  it('first reading is a baseline; then bits per second over the real elapsed time', () => {
    const before = parseProcNetDev(fixtureText(VM, 'proc/net/dev'));
    const after = parseProcNetDev(fixtureText(VM_LATER, 'proc/net/dev'));
    const tracker = new NetRateTracker();
    const first = tracker.update(before.map((e) => counter(e.iface, e.rxBytes, e.txBytes)), 10_000);
    expect(first.every((r) => r.rxBitsPerSecond === null && r.txBitsPerSecond === null)).toBe(true);
    // 1.25 s really elapsed (a late timer): the rate is over 1.25 s, not the nominal 1 s.
    const rates = tracker.update(after.map((e) => counter(e.iface, e.rxBytes, e.txBytes)), 11_250);
    const lo = rates.find((r) => r.iface === 'lo')!;
    const dRx = after.find((e) => e.iface === 'lo')!.rxBytes - before.find((e) => e.iface === 'lo')!.rxBytes;
    expect(dRx).toBeGreaterThan(1_000_000); // the recording had iperf3 traffic on lo
    expect(lo.rxBitsPerSecond).toBe(Math.round(dRx / 1.25) * 8);
    expect(lo.rxBitsPerSecond! % 8).toBe(0);
    expect(rates.map((r) => r.iface)).toEqual(['eth0', 'ifb0', 'ifb1', 'lo']); // sorted by name
  });

  it('a counter that goes backwards (reset, wrap, re-created) gives null, never a negative value, then resumes', () => {
    const tracker = new NetRateTracker();
    tracker.update([counter('eth0', 1_000_000, 500_000)], 0);
    expect(tracker.update([counter('eth0', 1_125_000, 625_000)], 1000)[0]).toMatchObject({ rxBitsPerSecond: 1_000_000, txBitsPerSecond: 1_000_000 });
    // 32-bit wrap on rx only: the whole interface starts over
    expect(tracker.update([counter('eth0', 1000, 750_000)], 2000)[0]).toMatchObject({ rxBitsPerSecond: null, txBitsPerSecond: null });
    expect(tracker.update([counter('eth0', 126_000, 875_000)], 3000)[0]).toMatchObject({ rxBitsPerSecond: 1_000_000, txBitsPerSecond: 1_000_000 });
  });

  it('a jump faster than twice the link speed is a reset, not a spike', () => {
    const tracker = new NetRateTracker();
    const gbit = { linkSpeedMbps: 1000 };
    tracker.update([counter('eth0', 0, 0, gbit)], 0);
    // 2 Gbit/s on a 1 Gbit/s link: allowed (batched counters), exactly at the bound
    expect(tracker.update([counter('eth0', 250_000_000, 0, gbit)], 1000)[0]!.rxBitsPerSecond).toBe(2e9);
    expect(tracker.rejected).toEqual([]);
    // 2.4 Gbit/s: impossible
    expect(tracker.update([counter('eth0', 550_000_000, 0, gbit)], 2000)[0]!.rxBitsPerSecond).toBeNull();
    expect(tracker.rejected).toEqual(['eth0']);
    expect(tracker.update([counter('eth0', 550_000_125, 0, gbit)], 3000)[0]!.rxBitsPerSecond).toBe(1000);
  });

  it('without a link speed, more than 1 Tbit/s is a reset', () => {
    const tracker = new NetRateTracker();
    tracker.update([counter('lo', 0, 0, { loopback: true })], 0);
    const fast = (MAX_UNKNOWN_LINK_BITS_PER_SECOND / 8) * 0.5; // 0.5 Tbit/s over 1 s
    expect(tracker.update([counter('lo', fast, fast, { loopback: true })], 1000)[0]!.rxBitsPerSecond).toBe(5e11);
    const absurd = fast + (MAX_UNKNOWN_LINK_BITS_PER_SECOND / 8) * 1.5;
    expect(tracker.update([counter('lo', absurd, fast, { loopback: true })], 2000)[0]).toMatchObject({ rxBitsPerSecond: null, txBitsPerSecond: null });
  });

  it('handles interfaces that appear, vanish and come back', () => {
    const tracker = new NetRateTracker();
    tracker.update([counter('eth0', 0, 0)], 0);
    const appeared = tracker.update([counter('eth0', 1000, 1000), counter('docker0', 5000, 5000, { virtual: true })], 1000);
    expect(appeared).toEqual([
      { iface: 'docker0', rxBitsPerSecond: null, txBitsPerSecond: null, loopback: false, virtual: true },
      { iface: 'eth0', rxBitsPerSecond: 8000, txBitsPerSecond: 8000, loopback: false, virtual: false },
    ]);
    expect(tracker.update([counter('eth0', 2000, 2000)], 2000).map((r) => r.iface)).toEqual(['eth0']);
    // docker0 re-created with a counter that happens to be higher than before: still a baseline
    const back = tracker.update([counter('eth0', 3000, 3000), counter('docker0', 9000, 9000, { virtual: true })], 3000);
    expect(back.find((r) => r.iface === 'docker0')).toMatchObject({ rxBitsPerSecond: null, txBitsPerSecond: null });
    expect(tracker.update([counter('eth0', 4000, 4000), counter('docker0', 9500, 9000, { virtual: true })], 4000)[0]).toMatchObject({
      iface: 'docker0',
      rxBitsPerSecond: 4000,
      txBitsPerSecond: 0,
    });
  });

  it('reset() makes every interface start from a baseline', () => {
    const tracker = new NetRateTracker();
    tracker.update([counter('eth0', 0, 0)], 0);
    tracker.reset();
    expect(tracker.update([counter('eth0', 10, 10)], 1000)[0]!.rxBitsPerSecond).toBeNull();
  });

  it('no elapsed time means no rate', () => {
    const tracker = new NetRateTracker();
    tracker.update([counter('eth0', 0, 0)], 1000);
    expect(tracker.update([counter('eth0', 10, 10)], 1000)[0]!.rxBitsPerSecond).toBeNull();
  });
});

describe('network readers', () => {
  it('Linux: counters with flags for every interface in /proc/net/dev', () => {
    const counters = createLinuxNetworkReader(SERVER).read() as NetCounter[];
    const byName = new Map(counters.map((c) => [c.iface, c]));
    expect(byName.size).toBe(10);
    expect(byName.get('lo')).toMatchObject({ loopback: true, virtual: false, rxBytes: 5_000_000 });
    expect(byName.get('eth0')).toMatchObject({ loopback: false, virtual: false, linkSpeedMbps: 1000, rxBytes: 9876543210 });
    expect(byName.get('bond0')).toMatchObject({ virtual: true });
    expect(byName.get('tun0')).toMatchObject({ virtual: true });
  });

  it('Linux: classification is cached per name and re-checked when an interface comes back', () => {
    const root = copyFixture(SERVER);
    temps.push(root);
    const reader = createLinuxNetworkReader(root);
    const devFile = path.join(root, 'proc/net/dev');
    const dev = fs.readFileSync(devFile, 'utf8');
    const flagsOf = (name: string) => (reader.read() as NetCounter[]).find((c) => c.iface === name);
    expect(flagsOf('wlan0')).toMatchObject({ virtual: false });

    // wlan0 turns out to be a virtual device in /sys: not re-read while it stays…
    const link = path.join(root, 'sys/class/net/wlan0');
    fs.rmSync(link);
    fs.symlinkSync('../../devices/virtual/net/docker0', link);
    expect(flagsOf('wlan0')).toMatchObject({ virtual: false });

    // …but once it vanished and came back, it is classified afresh.
    fs.writeFileSync(devFile, dev.split('\n').filter((l) => !l.includes('wlan0:')).join('\n'));
    expect(flagsOf('wlan0')).toBeUndefined();
    fs.writeFileSync(devFile, dev);
    expect(flagsOf('wlan0')).toMatchObject({ virtual: true });

    // recheck() forces it too (used after an impossible jump: the link speed may have changed)
    fs.writeFileSync(path.join(root, 'sys/devices/pci0000:00/0000:00:1f.6/net/eth0/speed'), '10000\n');
    expect(flagsOf('eth0')).toMatchObject({ linkSpeedMbps: 1000 });
    reader.recheck!('eth0');
    expect(flagsOf('eth0')).toMatchObject({ linkSpeedMbps: 10000 });
  });

  it('portable: systeminformation counters, loopback from os internal flag, garbage entries skipped', async () => {
    let calls = 0;
    const si = {
      networkStats: async (ifaces: string) => {
        calls++;
        expect(ifaces).toBe('*');
        return [
          { iface: 'en0', rx_bytes: 100, tx_bytes: 200 },
          { iface: 'lo0', rx_bytes: 5, tx_bytes: 5 },
          { iface: 'utun2', rx_bytes: 7, tx_bytes: 8 },
          { iface: 'broken', rx_bytes: Number.NaN, tx_bytes: 1 },
        ];
      },
    } as unknown as SystemInformation;
    let osCalls = 0;
    const reader = createPortableNetworkReader(
      {
        networkInterfaces: () => {
          osCalls++;
          return { lo0: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] };
        },
      },
      async () => si,
    );
    const counters = await reader.read();
    expect(counters).toEqual([
      { iface: 'en0', rxBytes: 100, txBytes: 200, loopback: false, virtual: false, linkSpeedMbps: null },
      { iface: 'lo0', rxBytes: 5, txBytes: 5, loopback: true, virtual: false, linkSpeedMbps: null },
      { iface: 'utun2', rxBytes: 7, txBytes: 8, loopback: false, virtual: true, linkSpeedMbps: null },
    ]);
    await reader.read();
    expect(calls).toBe(2);
    expect(osCalls).toBe(1); // classification cached: os.networkInterfaces() only when a new name shows up
  });
});
