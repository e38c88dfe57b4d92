import { describe, expect, it } from 'vitest';
import { METRIC_HELP } from '../../../src/core/metrics-exposition/convention.js';
import { encodeExposition, escapeLabelValue, formatValue, type MachineSnapshot } from '../../../src/core/metrics-exposition/prometheus-text.js';
import type { HostSnapshot, Sample } from '../../../src/shared/model.js';
import { randomSample, seededRandom } from '../../helpers/random.js';
import { hasBinary, promtoolCheckMetrics } from '../../helpers/services.js';

const host: HostSnapshot = {
  hostname: 'web1',
  user: 'root',
  platform: 'linux',
  os: 'Debian GNU/Linux 12 (bookworm)',
  kernel: '6.1.0-18-amd64',
  arch: 'x64',
  bootTime: 1_763_700_000_000,
  cpu: { model: 'AMD EPYC 7B13 "Milan"', cores: 1, threads: 2, maxFrequencyMhz: null },
  interfaces: [],
};

function snapshot(name: string, machineId: string, sample: Sample | null): MachineSnapshot {
  return {
    machine: { machineId, name },
    sample,
    disks: { ts: 1000, disks: [{ device: '/dev/sda1', mountPoint: '/media/a "b"\\c', fsType: 'ext4', total: 1_000_000, used: 1234, free: 998_766, available: 948_766 }] },
    host: { ts: 500, host },
    counters: {
      ts: 1000,
      cpu: [{ user: 12.5, nice: 0, system: 3.25, idle: 100, iowait: 1, irq: 0, softirq: 0.5, steal: 0 }, null, { user: 1, system: 2, idle: 3 }],
      net: [
        { iface: 'eth0', loopback: false, virtual: false, rxBytes: 5_000_000_000, txBytes: 42, rxPackets: 7, txPackets: 1, rxErrors: 0, txErrors: 0, rxDrops: 2, txDrops: 0 },
        { iface: 'wg0', loopback: false, virtual: true, rxBytes: 10, txBytes: 20 },
      ],
    },
  };
}

/** Parses exposition lines into name → [{labels, value}] (enough for these tests). */
function parse(text: string): Map<string, { labels: string; value: string }[]> {
  const samples = new Map<string, { labels: string; value: string }[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable line ${line}`);
    const list = samples.get(match[1]!) ?? [];
    list.push({ labels: match[2] ?? '', value: match[3]! });
    samples.set(match[1]!, list);
  }
  return samples;
}

describe('Prometheus text exposition', () => {
  const sample: Sample = {
    ts: 1_763_800_000_000,
    cpu: { total: 12.3, cores: [0.7, 100] },
    memory: { total: 16 * 1024 ** 3, used: 5 * 1024 ** 3, available: 11 * 1024 ** 3, free: 2 * 1024 ** 3, swapTotal: 0, swapUsed: 0 },
    load: { one: 0.5, five: 1.25, fifteen: 2 },
    net: [
      { iface: 'eth0', loopback: false, virtual: false, rxBitsPerSecond: 8_000_008, txBitsPerSecond: 16 },
      { iface: 'lo', loopback: true, virtual: false, rxBitsPerSecond: null, txBitsPerSecond: 0 },
    ],
  };

  it('names every value by the convention, with units converted exactly', () => {
    const text = encodeExposition([snapshot('web1', 'id-1', sample)]);
    const m = parse(text);
    const labels = '{host="web1",machine_id="id-1"}';
    expect(m.get('vigil_cpu_usage_ratio')).toEqual([{ labels, value: '0.123' }]);
    expect(m.get('vigil_cpu_core_usage_ratio')).toEqual([
      { labels: '{cpu="0",host="web1",machine_id="id-1"}', value: '0.007' },
      { labels: '{cpu="1",host="web1",machine_id="id-1"}', value: '1' },
    ]);
    expect(m.get('vigil_memory_available_bytes')).toEqual([{ labels, value: String(11 * 1024 ** 3) }]);
    expect(m.get('vigil_swap_total_bytes')).toEqual([{ labels, value: '0' }]);
    expect(m.get('vigil_system_load5')).toEqual([{ labels, value: '1.25' }]);
    expect(m.get('vigil_network_receive_bytes_per_second')).toEqual([{ labels: '{device="eth0",host="web1",kind="physical",machine_id="id-1"}', value: '1000001' }]);
    // lo has no receive rate this tick: no sample rather than a made-up 0.
    expect(m.get('vigil_network_transmit_bytes_per_second')!.map((s) => s.labels)).toEqual([
      '{device="eth0",host="web1",kind="physical",machine_id="id-1"}',
      '{device="lo",host="web1",kind="loopback",machine_id="id-1"}',
    ]);
    expect(m.get('vigil_filesystem_used_bytes')).toEqual([{ labels: '{device="/dev/sda1",fstype="ext4",host="web1",machine_id="id-1",mountpoint="/media/a \\"b\\"\\\\c"}', value: '1234' }]);
    const fs = m.get('vigil_filesystem_used_bytes')![0]!.labels;
    expect(m.get('vigil_filesystem_avail_bytes')).toEqual([{ labels: fs, value: '948766' }]);
    expect(m.get('vigil_filesystem_free_bytes')).toEqual([{ labels: fs, value: '998766' }]);
    // df's Use%: 1234 / (1234 + 948766) = 0.13 %, in steps of 0.01 % → 0.0013.
    expect(m.get('vigil_filesystem_used_ratio')).toEqual([{ labels: fs, value: '0.0013' }]);
    expect(m.get('vigil_host_info')![0]!.labels).toContain('cpu_model="AMD EPYC 7B13 \\"Milan\\""');
    expect(m.get('vigil_host_boot_time_seconds')).toEqual([{ labels, value: '1763700000' }]);
    expect(m.get('vigil_sample_timestamp_seconds')).toEqual([{ labels, value: '1763800000' }]);
  });

  it('has HELP and TYPE for every family, once, and every name has its own HELP text', () => {
    const text = encodeExposition([snapshot('web1', 'id-1', sample)]);
    const names = [...parse(text).keys()];
    for (const name of names) {
      expect(text.match(new RegExp(`^# HELP ${name} `, 'gm'))).toHaveLength(1);
      expect(text.match(new RegExp(`^# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}$`, 'gm'))).toHaveLength(1);
      if (name !== 'vigil_sample_timestamp_seconds') expect(METRIC_HELP[name], name).toBeDefined();
    }
    expect(names.length).toBe(Object.keys(METRIC_HELP).length + 1);
  });

  it('exposes the raw counters as counters: CPU seconds per cpu and mode, interface bytes, packets, errors and drops', () => {
    const m = parse(encodeExposition([snapshot('web1', 'id-1', sample)]));
    const cpu = m.get('vigil_cpu_seconds_total')!;
    // cpu 1 is offline (null): no series; cpu 2 has only the modes its OS counts (no 0s made up).
    expect(cpu).toHaveLength(8 + 3);
    expect(cpu).toContainEqual({ labels: '{cpu="0",host="web1",machine_id="id-1",mode="system"}', value: '3.25' });
    expect(cpu.filter((s) => s.labels.includes('cpu="2"')).map((s) => /mode="(\w+)"/.exec(s.labels)![1])).toEqual(['user', 'system', 'idle']);
    const eth0 = '{device="eth0",host="web1",kind="physical",machine_id="id-1"}';
    const wg0 = '{device="wg0",host="web1",kind="virtual",machine_id="id-1"}';
    expect(m.get('vigil_network_receive_bytes_total')).toEqual([
      { labels: eth0, value: '5000000000' },
      { labels: wg0, value: '10' },
    ]);
    expect(m.get('vigil_network_transmit_bytes_total')).toContainEqual({ labels: wg0, value: '20' });
    expect(m.get('vigil_network_receive_drop_total')).toEqual([{ labels: eth0, value: '2' }]);
    expect(m.get('vigil_network_transmit_packets_total')).toEqual([{ labels: eth0, value: '1' }]);
    // Each counter right after the gauge it stands next to.
    const order = [...m.keys()];
    expect(order.indexOf('vigil_network_receive_bytes_total')).toBe(order.indexOf('vigil_network_receive_bytes_per_second') + 1);
  });

  it('keeps each family together across machines (a hub exposing several)', () => {
    const random = seededRandom(3);
    const text = encodeExposition([snapshot('a', 'id-a', randomSample(1000, random)), snapshot('b', 'id-b', randomSample(1000, random))]);
    const order = text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => /^[a-z_0-9]+/.exec(line)![0]);
    const seen = new Set<string>();
    for (let i = 0; i < order.length; i++) {
      if (i > 0 && order[i] !== order[i - 1]) {
        expect(seen.has(order[i]!), `${order[i]} appears in two places`).toBe(false);
      }
      seen.add(order[i]!);
    }
    expect(text).toContain('vigil_cpu_usage_ratio{host="a",machine_id="id-a"}');
    expect(text).toContain('vigil_cpu_usage_ratio{host="b",machine_id="id-b"}');
  });

  it('a machine without a sample yet exposes only what it has', () => {
    const text = encodeExposition([snapshot('a', 'id-a', null)]);
    expect(text).not.toContain('vigil_cpu_usage_ratio');
    expect(text).toContain('vigil_host_info');
    expect(encodeExposition([])).toBe('');
  });

  it('escapes label values and spells out special floats', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect([NaN, Infinity, -Infinity, 0.1, 1e21].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '0.1', '1e+21']);
  });

  it.skipIf(!hasBinary('promtool') && process.env.CI !== 'true')('passes promtool check metrics with no lint problem (exit 0)', () => {
    const random = seededRandom(11);
    const odd = randomSample(1_763_800_000_000, random, { cores: 8, ifaces: [{ name: 'eth0' }, { name: 'wl"an\\0' }, { name: 'lo', loopback: true }, { name: 'docker0', virtual: true }] });
    const text = encodeExposition([snapshot('web "1"', 'id-1', odd), snapshot('db\n2', 'id-2', randomSample(1_763_800_000_000, random))]);
    const { status, output } = promtoolCheckMetrics(text);
    expect(output).toBe('');
    expect(status).toBe(0);
  });
});
