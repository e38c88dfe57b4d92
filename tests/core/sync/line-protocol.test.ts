import { describe, expect, it } from 'vitest';
import { diskPoints, hostPoints, samplePoints, type Point } from '../../../src/core/metrics-exposition/convention.js';
import { encodePoint, encodePoints, encodeSampleLines, escapeKey, escapeMeasurement, escapeStringField, escapeTagValue } from '../../../src/core/sync/line-protocol.js';
import type { HostSnapshot, Sample } from '../../../src/shared/model.js';
import { randomSample, seededRandom, type SampleShape } from '../../helpers/random.js';

const machine = { machineId: '0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b', name: 'web 1' };

const sample: Sample = {
  ts: 1_763_800_000_000,
  cpu: { total: 12.3, cores: [0.7, 100] },
  memory: { total: 16 * 1024 ** 3, used: 5 * 1024 ** 3, available: 11 * 1024 ** 3, free: 2 * 1024 ** 3, swapTotal: 1024 ** 3, swapUsed: 0 },
  load: { one: 0.5, five: 1.25, fifteen: 2 },
  net: [
    { iface: 'eth0', loopback: false, virtual: false, rxBitsPerSecond: 8_000_008, txBitsPerSecond: 16 },
    { iface: 'lo', loopback: true, virtual: false, rxBitsPerSecond: null, txBitsPerSecond: null },
    { iface: 'veth1', loopback: false, virtual: true, rxBitsPerSecond: null, txBitsPerSecond: 0 },
  ],
};

describe('line protocol escaping', () => {
  it('escapes each part by its own rules', () => {
    expect(escapeMeasurement('a b,c=d')).toBe('a\\ b\\,c=d');
    expect(escapeKey('a b,c=d')).toBe('a\\ b\\,c\\=d');
    expect(escapeTagValue('My Disk,1=2')).toBe('My\\ Disk\\,1\\=2');
    expect(escapeStringField('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it('drops what line protocol cannot carry in a tag value: newlines, and backslashes before an escape or at the end', () => {
    expect(escapeTagValue('two\nlines\r\n')).toBe('two\\ lines\\ ');
    expect(escapeTagValue('C:\\')).toBe('C:');
    expect(escapeTagValue('a\\ b')).toBe('a\\ b');
    // A backslash before an ordinary character passes through unchanged.
    expect(escapeTagValue('\\\\?\\Volume')).toBe('\\\\?\\Volume');
  });

  it('writes integers with i, floats as shortest decimals, and leaves out NaN and infinities', () => {
    const point: Point = {
      measurement: 'm',
      tags: [['t', 'x']],
      fields: [
        { key: 'int', value: 42, type: 'integer' },
        { key: 'float', value: 0.1 + 0.2, type: 'float' },
        { key: 'whole', value: 3, type: 'float' },
        { key: 'big', value: 1e21, type: 'float' },
        { key: 'nan', value: NaN, type: 'float' },
        { key: 'inf', value: Infinity, type: 'integer' },
        { key: 's', value: 'x', type: 'string' },
      ],
      ts: 1000,
    };
    expect(encodePoint(point)).toBe('m,t=x int=42i,float=0.30000000000000004,whole=3,big=1e+21,s="x" 1000');
    expect(encodePoint({ ...point, fields: [{ key: 'nan', value: NaN, type: 'float' }] })).toBeNull();
  });

  it('leaves out empty tag values', () => {
    expect(encodePoint({ measurement: 'm', tags: [['a', ''], ['b', 'y']], fields: [{ key: 'v', value: 1, type: 'integer' }], ts: 5 })).toBe('m,b=y v=1i 5');
  });
});

describe('the naming convention as line protocol', () => {
  it('encodes a sample: ratios, exact bytes, one line per core and per interface with a value', () => {
    const tags = 'host=web\\ 1,machine_id=0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
    const ts = sample.ts;
    expect(encodePoints(samplePoints(sample, machine)).split('\n')).toEqual([
      `vigil_cpu,${tags} usage_ratio=0.123 ${ts}`,
      `vigil_cpu_core,cpu=0,${tags} usage_ratio=0.007 ${ts}`,
      `vigil_cpu_core,cpu=1,${tags} usage_ratio=1 ${ts}`,
      `vigil_memory,${tags} total_bytes=17179869184i,used_bytes=5368709120i,available_bytes=11811160064i,free_bytes=2147483648i ${ts}`,
      `vigil_swap,${tags} total_bytes=1073741824i,used_bytes=0i ${ts}`,
      `vigil_system,${tags} load1=0.5,load5=1.25,load15=2 ${ts}`,
      `vigil_network,device=eth0,host=web\\ 1,kind=physical,machine_id=${machine.machineId} receive_bytes_per_second=1000001i,transmit_bytes_per_second=2i ${ts}`,
      // lo has no rate this tick (baseline): no line; veth1 only its transmit side.
      `vigil_network,device=veth1,host=web\\ 1,kind=virtual,machine_id=${machine.machineId} transmit_bytes_per_second=0i ${ts}`,
      '',
    ]);
  });

  it('has no load line where the OS has no load average (Windows)', () => {
    expect(encodePoints(samplePoints({ ...sample, load: null }, machine))).not.toContain('vigil_system');
  });

  it('encodes disks with device, fstype and mountpoint tags, and the host as an info point', () => {
    const disks = encodePoints(diskPoints({ ts: 7, disks: [{ device: '/dev/sda1', mountPoint: '/media/My Disk', fsType: 'ext4', total: 1000, used: 250, free: 750, available: 700 }] }, machine));
    // used_ratio is df's Use%: 250 / (250 + 700).
    expect(disks).toBe(
      'vigil_filesystem,device=/dev/sda1,fstype=ext4,host=web\\ 1,machine_id=0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b,mountpoint=/media/My\\ Disk size_bytes=1000i,used_bytes=250i,free_bytes=750i,avail_bytes=700i,used_ratio=0.2632 7\n',
    );
    // A reading from before free and available were kept: no such fields (never 0), and the ratio of the size.
    expect(encodePoints(diskPoints({ ts: 7, disks: [{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 1000, used: 250 }] }, machine))).toContain(
      'size_bytes=1000i,used_bytes=250i,used_ratio=0.25 7',
    );
    const host: HostSnapshot = {
      hostname: 'web1',
      user: 'root',
      platform: 'linux',
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-18-amd64',
      arch: 'x64',
      bootTime: 1_763_700_000_500,
      cpu: { model: 'AMD EPYC 7B13', cores: 1, threads: 2, maxFrequencyMhz: null },
      interfaces: [],
    };
    expect(encodePoints(hostPoints(9, host, machine)).split('\n')).toEqual([
      'vigil_host,arch=x64,cpu_model=AMD\\ EPYC\\ 7B13,host=web\\ 1,kernel=6.1.0-18-amd64,machine_id=0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b,os=Debian\\ GNU/Linux\\ 12\\ (bookworm),platform=linux info=1i 9',
      'vigil_host,host=web\\ 1,machine_id=0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b boot_time_seconds=1763700000i,cpu_threads=2i 9',
      '',
    ]);
  });
});

describe('the direct sample encoder (the agent’s fast path)', () => {
  it('writes exactly what the general path writes, for every shape of sample', () => {
    const random = seededRandom(99);
    const shapes: SampleShape[] = [
      {},
      { cores: 1, ifaces: [], load: false },
      { cores: 16, nullRate: 0.5, ifaces: [{ name: 'eth0' }, { name: 'wl an,0=x' }, { name: 'lo', loopback: true }, { name: 'veth9', virtual: true }, { name: 'tail\\' }] },
    ];
    let checked = 0;
    for (const shape of shapes) {
      for (let i = 0; i < 200; i++) {
        const s = randomSample(1_763_800_000_000 + i * 1000, random, shape);
        for (const m of [machine, { machineId: 'id', name: 'a "quoted", spaced=name\\' }]) {
          expect(encodeSampleLines(s, m)).toBe(encodePoints(samplePoints(s, m)));
          checked++;
        }
      }
    }
    expect(checked).toBe(1200);
  });

  it('falls back to the general path for values line protocol cannot carry', () => {
    const odd: Sample = { ...sample, cpu: { total: NaN, cores: [Infinity, 5] }, memory: { ...sample.memory, free: NaN } };
    const text = encodeSampleLines(odd, machine);
    expect(text).toBe(encodePoints(samplePoints(odd, machine)));
    expect(text).not.toMatch(/NaN|Infinity/);
    expect(text).not.toContain('vigil_cpu,');
    expect(text).not.toContain('free_bytes=');
    expect(text).toContain('used_bytes=');
  });
});
