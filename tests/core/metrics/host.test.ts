import fs from 'node:fs';
import path from 'node:path';
import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLinuxHostSource,
  createPortableHostSource,
  deepEqual,
  parseBootTime,
  parseCpuinfo,
  parseOsRelease,
} from '../../../src/core/metrics/host.js';
import type { SystemInformation } from '../../../src/core/metrics/types.js';
import { SERVER, VM, copyFixture, fakeOs, fixtureText } from './fixtures.js';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function addr(address: string, extra: Partial<NetworkInterfaceInfo> = {}): NetworkInterfaceInfo {
  const family = address.includes(':') ? 'IPv6' : 'IPv4';
  return { address, netmask: '', family, mac: '3c:52:82:aa:bb:01', internal: false, cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}), ...extra } as NetworkInterfaceInfo;
}

describe('parsers', () => {
  it('os-release: PRETTY_NAME with shell quoting, else NAME VERSION', () => {
    expect(parseOsRelease(fixtureText(VM, 'etc/os-release'))).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsRelease(fixtureText(SERVER, 'etc/os-release'))).toBe('Ubuntu 22.04.4 LTS "Jammy"');
    expect(parseOsRelease("NAME='Alpine Linux'\nVERSION=3.19\n")).toBe('Alpine Linux 3.19');
    expect(parseOsRelease('ID=x\n')).toBeNull();
  });

  it('cpuinfo: model, threads, physical cores as distinct (physical id, core id)', () => {
    expect(parseCpuinfo(fixtureText(VM, 'proc/cpuinfo'))).toEqual({ model: 'AMD EPYC', threads: 2, cores: 2 });
    expect(parseCpuinfo(fixtureText(SERVER, 'proc/cpuinfo'))).toEqual({ model: 'Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz', threads: 4, cores: 2 });
    // Raspberry Pi (ARM): no "model name", no core id
    const arm = 'processor\t: 0\nBogoMIPS\t: 108.00\n\nprocessor\t: 1\nBogoMIPS\t: 108.00\n\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n';
    expect(parseCpuinfo(arm)).toEqual({ model: 'Raspberry Pi 4 Model B Rev 1.4', threads: 2, cores: null });
  });

  it('boot time from the btime line of /proc/stat', () => {
    expect(parseBootTime(fixtureText(SERVER, 'proc/stat'))).toBe(1767225600000);
    expect(parseBootTime('cpu 1 2 3 4\n')).toBeNull();
  });
});

describe('Linux host snapshot', () => {
  const os = fakeOs({
    interfaces: {
      eth0: [addr('192.168.1.20'), addr('192.168.1.10'), addr('fe80::1'), addr('2001:db8::20')],
      lo: [addr('127.0.0.1', { internal: true, mac: '00:00:00:00:00:00' }), addr('::1', { internal: true, mac: '00:00:00:00:00:00' })],
      tun0: [addr('10.8.0.2', { mac: '00:00:00:00:00:00' })],
    },
  });

  it('takes every field from /proc, /sys, /etc/os-release and the os module', async () => {
    const host = await createLinuxHostSource({ root: SERVER, os }).snapshot();
    expect(host).toMatchObject({
      hostname: 'fixture-host',
      user: 'alice',
      platform: 'linux',
      os: 'Ubuntu 22.04.4 LTS "Jammy"',
      kernel: '6.5.0-28-generic',
      arch: 'x64',
      bootTime: 1767225600000,
      cpu: { model: 'Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz', cores: 2, threads: 4, maxFrequencyMhz: 4500 },
    });
    expect(host.interfaces.map((i) => i.name)).toEqual([
      'bond0', 'br-5f3e2a1b', 'docker0', 'enx00e04c680001', 'eth0', 'eth0.100', 'lo', 'tun0', 'veth1a2b3c4', 'wlan0',
    ]);
    const byName = new Map(host.interfaces.map((i) => [i.name, i]));
    expect(byName.get('eth0')).toEqual({
      name: 'eth0',
      mtu: 1500,
      mac: '3c:52:82:aa:bb:01',
      ipv4: ['192.168.1.10', '192.168.1.20'],
      ipv6: ['2001:db8::20', 'fe80::1'],
      loopback: false,
      virtual: false,
    });
    expect(byName.get('lo')).toMatchObject({ mtu: 65536, loopback: true, virtual: false, ipv4: ['127.0.0.1'] });
    expect(byName.get('docker0')).toMatchObject({ virtual: true, ipv4: [] });
    // only in os.networkInterfaces() (no /sys entry): name decides the flags, no MTU
    expect(byName.get('tun0')).toEqual({ name: 'tun0', mtu: null, mac: '00:00:00:00:00:00', ipv4: ['10.8.0.2'], ipv6: [], loopback: false, virtual: true });
  });

  it('a VM without cpufreq has no max frequency; boot time from the recording', async () => {
    const host = await createLinuxHostSource({ root: VM, os }).snapshot();
    expect(host.cpu).toEqual({ model: 'AMD EPYC', cores: 2, threads: 2, maxFrequencyMhz: null });
    expect(host.os).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(host.bootTime).toBe(parseBootTime(fixtureText(VM, 'proc/stat')));
    expect(host.interfaces.find((i) => i.name === 'ifb0')).toMatchObject({ virtual: true, mtu: 1500 });
  });

  it('falls back to the environment when the uid has no passwd entry', async () => {
    const noUser = fakeOs({
      userInfo: (() => {
        throw new Error('ENOENT: no such file or directory, uv_os_get_passwd');
      }) as never,
    });
    const previous = process.env.USER;
    process.env.USER = 'container-user';
    try {
      expect((await createLinuxHostSource({ root: VM, os: noUser }).snapshot()).user).toBe('container-user');
    } finally {
      if (previous === undefined) delete process.env.USER;
      else process.env.USER = previous;
    }
  });

  it('two snapshots of an unchanged machine are deeply equal', async () => {
    const source = createLinuxHostSource({ root: SERVER, os });
    expect(deepEqual(await source.snapshot(), await source.snapshot())).toBe(true);
  });

  it('the fingerprint changes with the hostname, an address, an MTU or a new /sys interface, and only then', () => {
    const root = copyFixture(SERVER);
    temps.push(root);
    let hostname = 'a';
    let interfaces: Record<string, NetworkInterfaceInfo[]> = { eth0: [addr('192.168.1.10')] };
    const source = createLinuxHostSource({ root, os: fakeOs({ hostname: () => hostname, networkInterfaces: () => interfaces }) });
    const first = source.fingerprint();
    expect(source.fingerprint()).toBe(first);
    hostname = 'b';
    const renamed = source.fingerprint();
    expect(renamed).not.toBe(first);
    interfaces = { eth0: [addr('192.168.1.11')] };
    const readdressed = source.fingerprint();
    expect(readdressed).not.toBe(renamed);
    fs.writeFileSync(path.join(root, 'sys/devices/pci0000:00/0000:00:1f.6/net/eth0/mtu'), '9000\n');
    const mtu = source.fingerprint();
    expect(mtu).not.toBe(readdressed);
    fs.symlinkSync('../../devices/virtual/net/docker0', path.join(root, 'sys/class/net/dummy0'));
    expect(source.fingerprint()).not.toBe(mtu);
  });
});

describe('portable host snapshot', () => {
  const si = {
    osInfo: async () => ({ distro: 'macOS', release: '14.4.1', codename: 'Sonoma', kernel: '23.4.0' }),
    cpu: async () => ({ manufacturer: 'Apple', brand: 'M2', physicalCores: 8, cores: 8, speedMax: 3.49 }),
    networkInterfaces: async () => [
      { iface: 'en0', mtu: 1500, mac: 'aa:bb:cc:dd:ee:ff', internal: false },
      { iface: 'lo0', mtu: 16384, mac: '', internal: true },
      { iface: 'utun0', mtu: 1380, mac: '', internal: false },
    ],
  } as unknown as SystemInformation;

  it('combines the os module with systeminformation', async () => {
    let now = 1_767_225_600_000;
    const source = createPortableHostSource({
      os: fakeOs({
        cpus: () => Array.from({ length: 8 }, () => ({ model: 'Apple M2', speed: 2400, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } })),
        release: () => '23.4.0',
        arch: () => 'arm64',
        uptime: () => 3600,
        interfaces: { en0: [addr('10.0.0.5', { mac: 'aa:bb:cc:dd:ee:ff' })], lo0: [addr('127.0.0.1', { internal: true, mac: '00:00:00:00:00:00' })] },
      }),
      loadSi: async () => si,
      platform: 'darwin',
      now: () => now,
    });
    const host = await source.snapshot();
    expect(host).toMatchObject({
      platform: 'darwin',
      os: 'macOS 14.4.1 (Sonoma)',
      kernel: '23.4.0',
      arch: 'arm64',
      bootTime: 1_767_225_600_000 - 3_600_000,
      cpu: { model: 'Apple M2', cores: 8, threads: 8, maxFrequencyMhz: 3490 },
    });
    expect(host.interfaces).toEqual([
      { name: 'en0', mtu: 1500, mac: 'aa:bb:cc:dd:ee:ff', ipv4: ['10.0.0.5'], ipv6: [], loopback: false, virtual: false },
      { name: 'lo0', mtu: 16384, mac: '00:00:00:00:00:00', ipv4: ['127.0.0.1'], ipv6: [], loopback: true, virtual: false },
      { name: 'utun0', mtu: 1380, mac: null, ipv4: [], ipv6: [], loopback: false, virtual: true },
    ]);
    // now − uptime wobbles by a second between calls: the boot time does not
    now += 1400;
    expect((await source.snapshot()).bootTime).toBe(host.bootTime);
  });
});

describe('deepEqual', () => {
  it('ignores key order but not array order or values', () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2], d: null } }, { b: { d: null, c: [1, 2] }, a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual({ a: null }, { a: 0 })).toBe(false);
    expect(deepEqual([{ x: 1 }], [{ x: 1 }])).toBe(true);
    expect(deepEqual({ a: [] }, { a: {} })).toBe(false);
  });
});
