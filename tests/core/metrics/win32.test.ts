// The Windows readers on bytes laid out by hand at the documented offsets (checked against the C
// declarations in native-layouts.test.ts), through fakes of the OS calls. Under Wine the same
// readers run on the real calls (tests/agent/sample-wine.test.ts).
import { describe, expect, it } from 'vitest';
import {
  createWindowsCpuReader,
  parseProcessorPerformance,
  PROCESSOR_PERFORMANCE_LAYOUT as P,
  STATUS_INFO_LENGTH_MISMATCH,
  SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION,
} from '../../../src/core/metrics/cpu-win32.js';
import { CpuUsageComputer } from '../../../src/core/metrics/cpu.js';
import { createWindowsDiskReader, DRIVE_FIXED, parseDriveStrings } from '../../../src/core/metrics/disk-win32.js';
import {
  createWindowsMemoryReader,
  MEMORYSTATUSEX_LAYOUT as M,
  PAGEFILE_INFORMATION_LAYOUT as F,
  parseMemoryStatusEx,
  parsePageFiles,
  swapFromCommit,
  SYSTEM_PAGEFILE_INFORMATION,
} from '../../../src/core/metrics/memory-win32.js';
import { countersFromIfTable, createWindowsNetworkReader, IF_FLAGS, MIB_IF_ROW2_LAYOUT as R, MIB_IF_TABLE2_LAYOUT as T, parseIfTable2 } from '../../../src/core/metrics/network-win32.js';
import { readU64 } from '../../../src/core/metrics/struct.js';

const GiB = 2 ** 30;

function putU64(buffer: Buffer, offset: number, value: number): void {
  buffer.writeBigUInt64LE(BigInt(value), offset);
}

describe('CPU: SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION', () => {
  /** One entry per core: times in 100 ns; KernelTime includes IdleTime. */
  function processorTimes(cores: { idle: number; kernel: number; user: number }[]): Buffer {
    const buffer = Buffer.alloc(cores.length * P.size, 0xee);
    cores.forEach((c, i) => {
      const at = i * P.size;
      putU64(buffer, at + P.IdleTime, c.idle);
      putU64(buffer, at + P.KernelTime, c.kernel);
      putU64(buffer, at + P.UserTime, c.user);
      putU64(buffer, at + P.DpcTime, 7);
      putU64(buffer, at + P.InterruptTime, 9);
      buffer.writeUInt32LE(12345, at + P.InterruptCount);
    });
    return buffer;
  }

  it('busy = kernel − idle + user, total = kernel + user, per core and summed; 64-bit values past 2^32 kept', () => {
    const big = 5 * 2 ** 32 + 17;
    const buffer = processorTimes([
      { idle: 600, kernel: 1000, user: 500 },
      { idle: big, kernel: big + 400, user: 100 },
    ]);
    expect(parseProcessorPerformance(buffer, buffer.length)).toEqual({
      total: { busy: 400 + 500 + 400 + 100, total: 1500 + big + 500 },
      cores: [
        // Seconds (100 ns units) for the counters: system is kernel − idle.
        { busy: 900, total: 1500, modes: { user: 500 / 1e7, system: 400 / 1e7, idle: 600 / 1e7 } },
        { busy: 500, total: big + 500, modes: { user: 100 / 1e7, system: 400 / 1e7, idle: big / 1e7 } },
      ],
    });
  });

  it('a length that is not whole entries is an error, not a misread', () => {
    const buffer = processorTimes([{ idle: 1, kernel: 2, user: 3 }]);
    expect(() => parseProcessorPerformance(buffer, 40)).toThrow(/not a multiple of 48/);
    expect(() => parseProcessorPerformance(buffer, 0)).toThrow(/0 bytes/);
  });

  it('the reader asks for class 8, grows its buffer when the OS says it is too small, and reports an NTSTATUS in hex', () => {
    const answer = processorTimes([
      { idle: 10, kernel: 20, user: 5 },
      { idle: 10, kernel: 20, user: 5 },
      { idle: 10, kernel: 20, user: 5 },
    ]);
    const calls: { infoClass: number; size: number }[] = [];
    const reader = createWindowsCpuReader(
      {
        querySystemInformation(infoClass, buffer) {
          calls.push({ infoClass, size: buffer.length });
          if (buffer.length < answer.length) return { status: STATUS_INFO_LENGTH_MISMATCH, returned: answer.length };
          answer.copy(buffer);
          return { status: 0, returned: answer.length };
        },
      },
      1,
    );
    expect(reader.read()).toMatchObject({ cores: [{ busy: 15, total: 25 }, { busy: 15, total: 25 }, { busy: 15, total: 25 }] });
    expect(calls).toEqual([
      { infoClass: SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION, size: 48 },
      { infoClass: SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION, size: answer.length },
    ]);
    const failing = createWindowsCpuReader({ querySystemInformation: () => ({ status: 0xc0000022 | 0, returned: 0 }) }, 2);
    expect(() => failing.read()).toThrow('NtQuerySystemInformation(SystemProcessorPerformanceInformation) failed: NTSTATUS 0xc0000022');
  });

  it('readings turn into usage like every other reader set', () => {
    const computer = new CpuUsageComputer();
    computer.update(parseProcessorPerformance(processorTimes([{ idle: 1000, kernel: 2000, user: 1000 }]), 48));
    // Over the interval: 300 idle, 400 kernel (so 100 kernel busy), 300 user: 400 of 700 busy.
    const usage = computer.update(parseProcessorPerformance(processorTimes([{ idle: 1300, kernel: 2400, user: 1300 }]), 48));
    expect(usage).toEqual({ total: 57.1, cores: [57.1] });
  });
});

describe('memory: MEMORYSTATUSEX and SYSTEM_PAGEFILE_INFORMATION', () => {
  function memoryStatus(values: { totalPhys: number; availPhys: number; totalPageFile: number; availPageFile: number }): Buffer {
    const buffer = Buffer.alloc(M.size, 0xee);
    buffer.writeUInt32LE(M.size, M.dwLength);
    buffer.writeUInt32LE(42, M.dwMemoryLoad);
    putU64(buffer, M.ullTotalPhys, values.totalPhys);
    putU64(buffer, M.ullAvailPhys, values.availPhys);
    putU64(buffer, M.ullTotalPageFile, values.totalPageFile);
    putU64(buffer, M.ullAvailPageFile, values.availPageFile);
    putU64(buffer, M.ullTotalVirtual, 128 * 2 ** 40);
    putU64(buffer, M.ullAvailVirtual, 127 * 2 ** 40);
    putU64(buffer, M.ullAvailExtendedVirtual, 0);
    return buffer;
  }

  /** Page file entries chained by NextEntryOffset, each followed by its name (UTF-16). */
  function pageFiles(files: { name: string; totalPages: number; inUsePages: number }[]): Buffer {
    const parts = files.map((f, i) => {
      const name = Buffer.from(f.name, 'utf16le');
      const entry = Buffer.alloc(F.size + name.length + ((8 - (name.length % 8)) % 8));
      entry.writeUInt32LE(i === files.length - 1 ? 0 : entry.length, F.NextEntryOffset);
      entry.writeUInt32LE(f.totalPages, F.TotalSize);
      entry.writeUInt32LE(f.inUsePages, F.TotalInUse);
      entry.writeUInt32LE(f.inUsePages + 1, F.PeakUsage);
      entry.writeUInt16LE(name.length, F.PageFileName);
      entry.writeUInt16LE(name.length, F.PageFileName + 2);
      name.copy(entry, F.size);
      return entry;
    });
    return Buffer.concat(parts);
  }

  it('parses the four figures of MEMORYSTATUSEX, past 4 GiB', () => {
    expect(parseMemoryStatusEx(memoryStatus({ totalPhys: 32 * GiB, availPhys: 20 * GiB, totalPageFile: 37 * GiB, availPageFile: 23 * GiB }))).toEqual({
      totalPhys: 32 * GiB,
      availPhys: 20 * GiB,
      totalPageFile: 37 * GiB,
      availPageFile: 23 * GiB,
    });
  });

  it('sums every page file in pages × page size, following NextEntryOffset; none at all is 0', () => {
    const buffer = pageFiles([
      { name: '\\??\\C:\\pagefile.sys', totalPages: 1_048_576, inUsePages: 1000 },
      { name: '\\??\\D:\\pagefile.sys', totalPages: 262_144, inUsePages: 24 },
    ]);
    expect(parsePageFiles(buffer, buffer.length, 4096)).toEqual({ total: (1_048_576 + 262_144) * 4096, used: 1024 * 4096 });
    expect(parsePageFiles(Buffer.alloc(0), 0, 4096)).toEqual({ total: 0, used: 0 });
    // A chain that points past what the OS returned is an error, not garbage.
    const broken = pageFiles([{ name: 'x', totalPages: 1, inUsePages: 0 }]);
    broken.writeUInt32LE(4096, F.NextEntryOffset);
    expect(() => parsePageFiles(broken, broken.length, 4096)).toThrow();
  });

  it('swap from the commit figures (Wine): page files = commit limit − physical, in use = committed − physical in use', () => {
    expect(swapFromCommit({ totalPhys: 16 * GiB, availPhys: 6 * GiB, totalPageFile: 20 * GiB, availPageFile: 9 * GiB })).toEqual({ total: 4 * GiB, used: 1 * GiB });
    // Never above the page files, never negative.
    expect(swapFromCommit({ totalPhys: 16 * GiB, availPhys: 0, totalPageFile: 20 * GiB, availPageFile: 0 })).toEqual({ total: 4 * GiB, used: 4 * GiB });
    expect(swapFromCommit({ totalPhys: 16 * GiB, availPhys: 10 * GiB, totalPageFile: 20 * GiB, availPageFile: 16 * GiB })).toEqual({ total: 4 * GiB, used: 0 });
    // A commit limit two pages over physical memory (Wine, no swap) is no page file at all.
    expect(swapFromCommit({ totalPhys: 16 * GiB, availPhys: 10 * GiB, totalPageFile: 16 * GiB + 8192, availPageFile: 10 * GiB })).toEqual({ total: 0, used: 0 });
  });

  it('the reader: total, available (= free) from MEMORYSTATUSEX, swap from the page files; dwLength set before each call', () => {
    const status = memoryStatus({ totalPhys: 32 * GiB, availPhys: 20 * GiB + 5, totalPageFile: 40 * GiB, availPageFile: 25 * GiB });
    const files = pageFiles([{ name: 'C:\\pagefile.sys', totalPages: 2 * 262_144, inUsePages: 65_536 }]);
    const lengths: number[] = [];
    const reader = createWindowsMemoryReader({
      pageSize: 4096,
      globalMemoryStatus(buffer) {
        lengths.push(buffer.readUInt32LE(M.dwLength));
        // Everything after dwLength, as the OS fills it.
        status.copy(buffer, M.dwLength + 4, M.dwLength + 4);
        return true;
      },
      querySystemInformation(infoClass, buffer) {
        expect(infoClass).toBe(SYSTEM_PAGEFILE_INFORMATION);
        files.copy(buffer);
        return { status: 0, returned: files.length };
      },
    });
    expect(reader.read()).toEqual({ total: 32 * GiB, used: 12 * GiB, available: 20 * GiB, free: 20 * GiB, swapTotal: 2 * GiB, swapUsed: 256 * 2 ** 20 });
    expect(lengths).toEqual([64]);
  });

  it('where the page file class is not implemented (Wine: STATUS_INVALID_INFO_CLASS), swap comes from the commit figures, without asking again', () => {
    const status = memoryStatus({ totalPhys: 16 * GiB, availPhys: 6 * GiB, totalPageFile: 20 * GiB, availPageFile: 9 * GiB });
    let asked = 0;
    const reader = createWindowsMemoryReader({
      pageSize: 4096,
      globalMemoryStatus(buffer) {
        status.copy(buffer, 4, 4);
        return true;
      },
      querySystemInformation() {
        asked++;
        return { status: 0xc0000003 | 0, returned: 0 };
      },
    });
    expect(reader.read()).toMatchObject({ swapTotal: 4 * GiB, swapUsed: 1 * GiB });
    expect(reader.read()).toMatchObject({ swapTotal: 4 * GiB, swapUsed: 1 * GiB });
    expect(asked).toBe(1);
    const failing = createWindowsMemoryReader({ pageSize: 4096, globalMemoryStatus: () => false, querySystemInformation: () => ({ status: 0, returned: 0 }) });
    expect(() => failing.read()).toThrow('GlobalMemoryStatusEx failed');
  });
});

describe('network: GetIfTable2 (MIB_IF_TABLE2 of MIB_IF_ROW2)', () => {
  interface Row {
    index: number;
    alias: string;
    description?: string;
    type?: number;
    tunnelType?: number;
    mediaType?: number;
    flags?: number;
    operStatus?: number;
    inOctets?: number;
    outOctets?: number;
    linkSpeed?: number | bigint;
  }

  function ifTable(rows: Row[]): Buffer {
    const buffer = Buffer.alloc(T.Table + rows.length * R.size, 0);
    buffer.writeUInt32LE(rows.length, T.NumEntries);
    rows.forEach((row, i) => {
      const at = T.Table + i * R.size;
      buffer.writeBigUInt64LE(0x0006000001000000n + BigInt(row.index), at + R.InterfaceLuid);
      buffer.writeUInt32LE(row.index, at + R.InterfaceIndex);
      buffer.fill(0xab, at + R.InterfaceGuid, at + R.InterfaceGuid + 16);
      buffer.write(row.alias, at + R.Alias, 'utf16le');
      buffer.write(row.description ?? row.alias, at + R.Description, 'utf16le');
      buffer.writeUInt32LE(6, at + R.PhysicalAddressLength);
      buffer.fill(0x11, at + R.PhysicalAddress, at + R.PhysicalAddress + 6);
      buffer.writeUInt32LE(1500, at + R.Mtu);
      buffer.writeUInt32LE(row.type ?? 6, at + R.Type);
      buffer.writeUInt32LE(row.tunnelType ?? 0, at + R.TunnelType);
      buffer.writeUInt32LE(row.mediaType ?? 0, at + R.MediaType);
      buffer[at + R.InterfaceAndOperStatusFlags] = row.flags ?? IF_FLAGS.HardwareInterface | IF_FLAGS.ConnectorPresent;
      buffer.writeUInt32LE(row.operStatus ?? 1, at + R.OperStatus);
      buffer.writeUInt32LE(1, at + R.AdminStatus);
      buffer.writeBigUInt64LE(BigInt(row.linkSpeed ?? 0), at + R.TransmitLinkSpeed);
      buffer.writeBigUInt64LE(BigInt(row.linkSpeed ?? 0), at + R.ReceiveLinkSpeed);
      putU64(buffer, at + R.InOctets, row.inOctets ?? 0);
      putU64(buffer, at + R.OutOctets, row.outOctets ?? 0);
      // The other counters hold different values, so a field read at the wrong offset shows.
      for (const field of ['InUcastPkts', 'InNUcastPkts', 'InUcastOctets', 'OutUcastPkts', 'OutUcastOctets', 'OutQLen'] as const) putU64(buffer, at + R[field], 999_999);
    });
    return buffer;
  }

  const MACHINE: Row[] = [
    { index: 1, alias: 'Loopback Pseudo-Interface 1', type: 24, flags: 0, inOctets: 0, outOctets: 0 },
    { index: 7, alias: 'Ethernet', description: 'Intel(R) Ethernet Connection I219-V', inOctets: 6 * 2 ** 32 + 123, outOctets: 2 ** 40, linkSpeed: 1_000_000_000 },
    // NDIS filter modules stacked on Ethernet repeat its counters: left out.
    { index: 8, alias: 'Ethernet-WFP Native MAC Layer LightWeight Filter-0000', flags: IF_FLAGS.FilterInterface, inOctets: 6 * 2 ** 32 + 123 },
    { index: 9, alias: 'Ethernet-QoS Packet Scheduler-0000', flags: IF_FLAGS.FilterInterface | IF_FLAGS.HardwareInterface, inOctets: 6 * 2 ** 32 + 123 },
    { index: 12, alias: 'Wi-Fi', type: 71, inOctets: 5000, outOctets: 4000, linkSpeed: 866_700_000 },
    { index: 15, alias: 'vEthernet (Default Switch)', description: 'Hyper-V Virtual Ethernet Adapter', flags: IF_FLAGS.ConnectorPresent, inOctets: 10, outOctets: 20, linkSpeed: 10_000_000_000 },
    { index: 16, alias: 'Teredo Tunneling Pseudo-Interface', type: 131, tunnelType: 14, flags: 0 },
    { index: 17, alias: 'WireGuard Tunnel', mediaType: 19, type: 53, flags: 0 },
    { index: 18, alias: 'Réseau étendu', description: 'WAN Miniport (PPTP)', type: 23, mediaType: 3, flags: 0, operStatus: 2 },
    // No device behind it: left out.
    { index: 20, alias: 'Microsoft Kernel Debug Network Adapter', operStatus: 6, flags: 0 },
    { index: 21, alias: 'Ethernet 2', description: 'TAP-Windows Adapter V9', linkSpeed: 2n ** 64n - 1n },
  ];

  it('parses every row: index, Alias and Description (UTF-16), Type, TunnelType, MediaType, flags, OperStatus, 64-bit counters', () => {
    const rows = parseIfTable2(ifTable(MACHINE));
    expect(rows).toHaveLength(MACHINE.length);
    expect(rows[1]).toEqual({
      index: 7,
      alias: 'Ethernet',
      description: 'Intel(R) Ethernet Connection I219-V',
      type: 6,
      tunnelType: 0,
      mediaType: 0,
      flags: 5,
      operStatus: 1,
      inOctets: 6 * 2 ** 32 + 123,
      outOctets: 2 ** 40,
      receiveLinkSpeed: 1e9,
      transmitLinkSpeed: 1e9,
    });
    expect(rows[8]).toMatchObject({ alias: 'Réseau étendu', description: 'WAN Miniport (PPTP)', type: 23, mediaType: 3, operStatus: 2 });
    expect(rows[6]).toMatchObject({ type: 131, tunnelType: 14 });
  });

  it('interfaces: filters and absent devices left out, named by Alias, loopback and virtual flagged as on Linux, link speed for physical ones', () => {
    expect(countersFromIfTable(parseIfTable2(ifTable(MACHINE)))).toEqual([
      { iface: 'Ethernet', rxBytes: 6 * 2 ** 32 + 123, txBytes: 2 ** 40, loopback: false, virtual: false, linkSpeedMbps: 1000 },
      // TAP-Windows marks itself hardware; its description says what it is. Link speed ~0 = unknown.
      { iface: 'Ethernet 2', rxBytes: 0, txBytes: 0, loopback: false, virtual: true, linkSpeedMbps: null },
      { iface: 'Loopback Pseudo-Interface 1', rxBytes: 0, txBytes: 0, loopback: true, virtual: false, linkSpeedMbps: null },
      { iface: 'Réseau étendu', rxBytes: 0, txBytes: 0, loopback: false, virtual: true, linkSpeedMbps: null },
      { iface: 'Teredo Tunneling Pseudo-Interface', rxBytes: 0, txBytes: 0, loopback: false, virtual: true, linkSpeedMbps: null },
      { iface: 'Wi-Fi', rxBytes: 5000, txBytes: 4000, loopback: false, virtual: false, linkSpeedMbps: 866.7 },
      { iface: 'WireGuard Tunnel', rxBytes: 0, txBytes: 0, loopback: false, virtual: true, linkSpeedMbps: null },
      // Hyper-V's adapter is not marked HardwareInterface.
      { iface: 'vEthernet (Default Switch)', rxBytes: 10, txBytes: 20, loopback: false, virtual: true, linkSpeedMbps: null },
    ]);
  });

  it('two rows with one Alias stay apart; a row without a name gets one', () => {
    const counters = countersFromIfTable(parseIfTable2(ifTable([{ index: 3, alias: 'Ethernet' }, { index: 4, alias: 'Ethernet' }, { index: 5, alias: '', description: '' }])));
    expect(counters.map((c) => c.iface)).toEqual(['Ethernet', 'Ethernet #4', 'if5']);
  });

  it('a table cut short (NumEntries larger than the bytes) is an error', () => {
    const buffer = ifTable([{ index: 1, alias: 'lo', type: 24 }]);
    buffer.writeUInt32LE(2, T.NumEntries);
    expect(() => parseIfTable2(buffer)).toThrow(/MIB_IF_TABLE2 of 2 rows/);
  });

  it('the reader re-reads the table every time (counters move, classification comes with each row)', () => {
    let rx = 100;
    const reader = createWindowsNetworkReader({ ifTable: () => ifTable([{ index: 7, alias: 'Ethernet', inOctets: (rx += 50) }]) });
    expect((reader.read() as { rxBytes: number }[])[0]!.rxBytes).toBe(150);
    expect((reader.read() as { rxBytes: number }[])[0]!.rxBytes).toBe(200);
  });
});

describe('disk: fixed drives', () => {
  it('parses GetLogicalDriveStringsW', () => {
    const buffer = Buffer.from('C:\\\0D:\\\0E:\\\0\0', 'utf16le');
    expect(parseDriveStrings(buffer, 13)).toEqual(['C:\\', 'D:\\', 'E:\\']);
  });

  it('measures fixed drives only, named "C:" as systeminformation names them, with their file system', async () => {
    const types: Record<string, number> = { 'A:\\': 2, 'C:\\': DRIVE_FIXED, 'D:\\': 5, 'E:\\': DRIVE_FIXED, 'Z:\\': 4 };
    const statfsCalls: string[] = [];
    const reader = createWindowsDiskReader(
      { logicalDrives: () => Object.keys(types), driveType: (root) => types[root]!, fileSystemName: (root) => (root === 'C:\\' ? 'NTFS' : null) },
      {
        statfs: async (root) => {
          statfsCalls.push(root);
          return root === 'C:\\' ? { bsize: 4096, blocks: 1000, bfree: 250, bavail: 250 } : { bsize: 4096, blocks: 10, bfree: 10, bavail: 10 };
        },
      },
    );
    expect(await reader.read()).toEqual([
      { device: 'C:', mountPoint: 'C:', fsType: 'NTFS', total: 4096_000, used: 750 * 4096, free: 250 * 4096, available: 250 * 4096 },
      { device: 'E:', mountPoint: 'E:', fsType: 'unknown', total: 40960, used: 0, free: 40960, available: 40960 },
    ]);
    expect(statfsCalls.sort()).toEqual(['C:\\', 'E:\\']);
  });

  it('a drive whose statfs does not answer is skipped and said, the others still measured', async () => {
    const skipped: string[] = [];
    const reader = createWindowsDiskReader(
      { logicalDrives: () => ['C:\\', 'D:\\'], driveType: () => DRIVE_FIXED, fileSystemName: () => 'NTFS' },
      { timeoutMs: 50, statfs: (root) => (root === 'D:\\' ? new Promise(() => {}) : Promise.resolve({ bsize: 512, blocks: 8, bfree: 4, bavail: 4 })), onSkip: (mountPoint, reason) => skipped.push(`${mountPoint}: ${reason}`) },
    );
    expect(await reader.read()).toEqual([{ device: 'C:', mountPoint: 'C:', fsType: 'NTFS', total: 4096, used: 2048, free: 2048, available: 2048 }]);
    expect(skipped).toEqual(['D:: statfs timed out after 50 ms']);
  });
});

it('readU64 reads a little-endian uint64 exactly below 2^53', () => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(2n ** 53n - 1n);
  expect(readU64(buffer, 0)).toBe(Number.MAX_SAFE_INTEGER);
  buffer.writeBigUInt64LE(0x1_0000_0001n);
  expect(readU64(buffer, 0)).toBe(2 ** 32 + 1);
});
