// Metric readers for a made-up machine whose counters grow by fixed steps per read: every sample
// after the baseline says CPU 25 %, 2 GiB of 8 GiB used, eth0 at 8 kbit/s in and 4 kbit/s out.
import type { MetricSources } from '../../../src/core/metrics/index.js';
import type { HostSnapshot } from '../../../src/shared/model.js';

export function fakeSources(): MetricSources {
  let reads = 0;
  const host: HostSnapshot = {
    hostname: 'fake-box',
    user: 'tester',
    platform: 'linux',
    os: 'Fake Linux',
    kernel: '6.1.0',
    arch: 'x64',
    bootTime: Date.UTC(2026, 0, 1),
    cpu: { model: 'Fake CPU', cores: 2, threads: 2, maxFrequencyMhz: null },
    interfaces: [{ name: 'eth0', loopback: false, virtual: false, mtu: 1500, mac: null, ipv4: ['192.0.2.10'], ipv6: [] }],
  };
  return {
    kind: 'portable',
    name: 'fake',
    platform: 'linux',
    cpu: {
      read() {
        reads++;
        // Per read: 100 ticks per CPU, 25 of them busy.
        const core = { busy: 25 * reads, total: 100 * reads };
        return { total: { busy: 50 * reads, total: 200 * reads }, cores: [core, core] };
      },
    },
    memory: { read: () => ({ total: 8 * 2 ** 30, used: 2 * 2 ** 30, available: 6 * 2 ** 30, free: 5 * 2 ** 30, swapTotal: 0, swapUsed: 0 }) },
    load: { read: () => ({ one: 0.5, five: 0.4, fifteen: 0.3 }) },
    network: {
      read: () => [
        { iface: 'eth0', rxBytes: 1000 * reads, txBytes: 500 * reads, loopback: false, virtual: false, linkSpeedMbps: 1000 },
        { iface: 'lo', rxBytes: 9000 * reads, txBytes: 9000 * reads, loopback: true, virtual: false, linkSpeedMbps: null },
      ],
    },
    disk: { read: () => [{ device: '/dev/fake', mountPoint: '/', fsType: 'ext4', total: 100 * 2 ** 30, used: 40 * 2 ** 30 }] },
    host: { fingerprint: () => 'fake-box', snapshot: async () => host },
  };
}
