// The lines `vigil status` and `vigil watch` print for a sample, generated from the metric table:
// exactly the text they have always printed.
import { describe, expect, it } from 'vitest';
import { diskLines, sampleLines } from '../../src/agent/format.js';
import type { Sample } from '../../src/shared/model.js';

const sample: Sample = {
  ts: 1_763_800_000_000,
  cpu: { total: 12.3, cores: [10.1, 14.5] },
  memory: { total: 8 * 1024 ** 3, used: 3 * 1024 ** 3, available: 5 * 1024 ** 3, free: 1024 ** 3, swapTotal: 2 * 1024 ** 3, swapUsed: 512 * 1024 ** 2 },
  load: { one: 0.52, five: 0.3, fifteen: 0.1 },
  net: [
    { iface: 'docker0', loopback: false, virtual: true, rxBitsPerSecond: 0, txBitsPerSecond: 0 },
    { iface: 'eth0', loopback: false, virtual: false, rxBitsPerSecond: 8_000_008, txBitsPerSecond: 16_000 },
    { iface: 'lo', loopback: true, virtual: false, rxBitsPerSecond: null, txBitsPerSecond: 64 },
  ],
};

describe('sample lines', () => {
  it('prints CPU with its cores, memory, swap, load and every interface', () => {
    expect(sampleLines(sample)).toEqual([
      'CPU        12.3 %   [||                  ]   cpu0 10.1  cpu1 14.5',
      'Memory     37.5 %   [||||||||            ]   3.00 GiB used of 8.00 GiB, 5.00 GiB available, 1.00 GiB free',
      'Swap       25.0 %   [|||||               ]   512 MiB of 2.00 GiB',
      'Load     0.52  0.30  0.10   (1, 5, 15 min)',
      'Network  interface             in            out',
      '         docker0         0 bit/s        0 bit/s (virtual)',
      '         eth0        8.00 Mbit/s    16.0 kbit/s',
      '         lo                    –     64.0 bit/s (loopback)',
    ]);
  });

  it('says when there is no swap, prints no load average where the OS has none, and can leave virtual interfaces out', () => {
    expect(sampleLines({ ...sample, load: null, memory: { ...sample.memory, swapTotal: 0, swapUsed: 0 } }, { includeVirtual: false })).toEqual([
      'CPU        12.3 %   [||                  ]   cpu0 10.1  cpu1 14.5',
      'Memory     37.5 %   [||||||||            ]   3.00 GiB used of 8.00 GiB, 5.00 GiB available, 1.00 GiB free',
      'Swap     none',
      'Network  interface             in            out',
      '         eth0        8.00 Mbit/s    16.0 kbit/s',
    ]);
  });

  it('prints disks with their use', () => {
    expect(diskLines([{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 100 * 1024 ** 3, used: 25 * 1024 ** 3 }])).toEqual([
      'Disk     /   25.0 %   [|||||               ]   25.0 GiB of 100 GiB (ext4, /dev/sda1)',
    ]);
  });
});
