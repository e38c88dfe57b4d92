// The macOS readers on bytes laid out by hand at the documented offsets (checked against the C
// declarations in native-layouts.test.ts), through fakes of the Mach and sysctl calls. macOS
// cannot run here; .github/workflows/readers.yml runs the real calls on macos-latest.
import { describe, expect, it } from 'vitest';
import { createDarwinCpuReader, parseProcessorCpuLoadInfo, PROCESSOR_CPU_LOAD_INFO_LAYOUT as C, TickUnwrapper } from '../../../src/core/metrics/cpu-darwin.js';
import { CpuUsageComputer } from '../../../src/core/metrics/cpu.js';
import { createDarwinDiskReader, MNT_DONTBROWSE, MNT_EXT_ROOT_DATA_VOL, parseStatfsEntries, selectDarwinVolumes, STATFS64_LAYOUT as S } from '../../../src/core/metrics/disk-darwin.js';
import {
  activityMonitorMemory,
  createDarwinMemoryReader,
  parseVmStatistics64,
  parseXswUsage,
  VM_STATISTICS64_LAYOUT as V,
  XSW_USAGE_LAYOUT as X,
} from '../../../src/core/metrics/memory-darwin.js';
import {
  AF_LINK,
  countersFromIfList,
  createDarwinNetworkReader,
  IF_DATA64_LAYOUT as D,
  IF_MSGHDR2_LAYOUT as H,
  IFF_LOOPBACK,
  IFF_POINTOPOINT,
  parseIfList2,
  RTA_IFP,
  RTM_IFINFO2,
  SOCKADDR_DL_LAYOUT as L,
} from '../../../src/core/metrics/network-darwin.js';

const GiB = 2 ** 30;

describe('CPU: processor_cpu_load_info', () => {
  function loadInfo(cpus: { user: number; system: number; idle: number; nice: number }[]): Buffer {
    const buffer = Buffer.alloc(cpus.length * C.size);
    cpus.forEach((c, i) => {
      buffer.writeUInt32LE(c.user, i * C.size + C.CPU_STATE_USER);
      buffer.writeUInt32LE(c.system, i * C.size + C.CPU_STATE_SYSTEM);
      buffer.writeUInt32LE(c.idle, i * C.size + C.CPU_STATE_IDLE);
      buffer.writeUInt32LE(c.nice, i * C.size + C.CPU_STATE_NICE);
    });
    return buffer;
  }

  it('parses user, system, idle, nice per CPU', () => {
    expect(parseProcessorCpuLoadInfo(loadInfo([{ user: 1, system: 2, idle: 3, nice: 4 }, { user: 5, system: 6, idle: 7, nice: 8 }]), 2)).toEqual([
      { user: 1, system: 2, idle: 3, nice: 4 },
      { user: 5, system: 6, idle: 7, nice: 8 },
    ]);
    expect(() => parseProcessorCpuLoadInfo(Buffer.alloc(16), 2)).toThrow(/32 bytes needed/);
  });

  it('busy = user + system + nice, total = busy + idle; a 32-bit counter that wraps keeps counting up', () => {
    const unwrapper = new TickUnwrapper();
    const near = 2 ** 32 - 100;
    expect(unwrapper.unwrap([{ user: near, system: 10, idle: 1000, nice: 0 }]).cores).toMatchObject([{ busy: near + 10, total: near + 1010 }]);
    // user wrapped: 100 ticks to the top, 50 past zero.
    const after = unwrapper.unwrap([{ user: 50, system: 20, idle: 1100, nice: 5 }]);
    expect(after.cores).toMatchObject([{ busy: 2 ** 32 + 50 + 20 + 5, total: 2 ** 32 + 50 + 20 + 5 + 1100 }]);
    // The counters' seconds (100 ticks a second) keep counting up through the wrap too.
    expect(after.cores[0]!.modes).toEqual({ user: (2 ** 32 + 50) / 100, system: 0.2, idle: 11, nice: 0.05 });
    const u = new TickUnwrapper();
    u.unwrap([{ user: near, system: 10, idle: 1000, nice: 0 }]);
    const usage = new CpuUsageComputer();
    usage.update(u.unwrap([{ user: near, system: 10, idle: 1000, nice: 0 }]));
    // 150 user + 10 system + 5 nice busy, 100 idle: 165 of 265.
    expect(usage.update(u.unwrap([{ user: 50, system: 20, idle: 1100, nice: 5 }]))).toEqual({ total: 62.3, cores: [62.3] });
  });

  it('the reader parses what host_processor_info returned, for the CPU count it said', () => {
    const reader = createDarwinCpuReader({ processorLoadInfo: () => ({ cpuCount: 2, buffer: Buffer.concat([loadInfo([{ user: 10, system: 5, idle: 85, nice: 0 }, { user: 1, system: 1, idle: 1, nice: 1 }]), Buffer.alloc(64)]) }) });
    expect(reader.read()).toEqual({
      total: { busy: 18, total: 104 },
      cores: [
        { busy: 15, total: 100, modes: { user: 0.1, system: 0.05, idle: 0.85, nice: 0 } },
        { busy: 3, total: 4, modes: { user: 0.01, system: 0.01, idle: 0.01, nice: 0.01 } },
      ],
    });
  });
});

describe('memory: vm_statistics64, xsw_usage', () => {
  // A 16 GiB Apple silicon machine (16 KiB pages), figures of the kind vm_stat prints.
  const page = 16384;
  const counts = { free: 10_000, active: 300_000, inactive: 290_000, wired: 150_000, purgeable: 5_000, speculative: 2_000, compressor: 60_000, external: 250_000, internal: 337_000, throttled: 0 };

  function vmStatistics(c: typeof counts): Buffer {
    const buffer = Buffer.alloc(V.size, 0);
    buffer.writeUInt32LE(c.free, V.free_count);
    buffer.writeUInt32LE(c.active, V.active_count);
    buffer.writeUInt32LE(c.inactive, V.inactive_count);
    buffer.writeUInt32LE(c.wired, V.wire_count);
    for (const field of ['zero_fill_count', 'reactivations', 'pageins', 'pageouts', 'faults', 'cow_faults', 'lookups', 'hits', 'purges', 'decompressions', 'compressions', 'swapins', 'swapouts', 'total_uncompressed_pages_in_compressor'] as const) {
      buffer.writeBigUInt64LE(123_456_789_012n, V[field]);
    }
    buffer.writeUInt32LE(c.purgeable, V.purgeable_count);
    buffer.writeUInt32LE(c.speculative, V.speculative_count);
    buffer.writeUInt32LE(c.compressor, V.compressor_page_count);
    buffer.writeUInt32LE(c.throttled, V.throttled_count);
    buffer.writeUInt32LE(c.external, V.external_page_count);
    buffer.writeUInt32LE(c.internal, V.internal_page_count);
    return buffer;
  }

  function xswUsage(total: number, used: number): Buffer {
    const buffer = Buffer.alloc(X.size);
    buffer.writeBigUInt64LE(BigInt(total), X.xsu_total);
    buffer.writeBigUInt64LE(BigInt(total - used), X.xsu_avail);
    buffer.writeBigUInt64LE(BigInt(used), X.xsu_used);
    buffer.writeUInt32LE(page, X.xsu_pagesize);
    buffer.writeInt32LE(1, X.xsu_encrypted);
    return buffer;
  }

  it('parses the page counts and swap usage', () => {
    expect(parseVmStatistics64(vmStatistics(counts))).toEqual({
      free: 10_000,
      active: 300_000,
      inactive: 290_000,
      wired: 150_000,
      purgeable: 5_000,
      speculative: 2_000,
      compressor: 60_000,
      external: 250_000,
      internal: 337_000,
    });
    expect(parseXswUsage(xswUsage(3 * GiB, GiB))).toEqual({ total: 3 * GiB, used: GiB, available: 2 * GiB });
  });

  it("Activity Monitor's figures: used = app + wired + compressed; free leaves speculative pages out", () => {
    const memory = activityMonitorMemory(parseVmStatistics64(vmStatistics(counts)), page, 16 * GiB, { total: 3 * GiB, used: GiB });
    // active + inactive + speculative + wired + compressor − purgeable − external
    const usedPages = 300_000 + 290_000 + 2_000 + 150_000 + 60_000 - 5_000 - 250_000;
    expect(memory).toEqual({ total: 16 * GiB, used: usedPages * page, available: 16 * GiB - usedPages * page, free: 8_000 * page, swapTotal: 3 * GiB, swapUsed: GiB });
    // That is App Memory (internal − purgeable, give or take throttled pages) + Wired + Compressed.
    expect(usedPages).toBe(337_000 - 5_000 + 150_000 + 60_000 + (300_000 + 290_000 + 2_000 - 337_000 - 250_000));
  });

  it('the reader: hw.memsize once, then host_statistics64 and vm.swapusage each read', () => {
    const asked: string[] = [];
    const reader = createDarwinMemoryReader({
      pageSize: page,
      vmStatistics(buffer) {
        asked.push('host_statistics64');
        vmStatistics(counts).copy(buffer);
        return 0;
      },
      sysctlByName(name, buffer) {
        asked.push(name);
        if (name === 'hw.memsize') buffer.writeBigUInt64LE(BigInt(16 * GiB));
        else xswUsage(2 * GiB, 0).copy(buffer);
        return buffer.length;
      },
    });
    expect(reader.read()).toMatchObject({ total: 16 * GiB, swapTotal: 2 * GiB, swapUsed: 0 });
    reader.read();
    expect(asked).toEqual(['hw.memsize', 'host_statistics64', 'vm.swapusage', 'host_statistics64', 'vm.swapusage']);
    const failing = createDarwinMemoryReader({ pageSize: page, vmStatistics: () => 5, sysctlByName: (_n, b) => b.length });
    expect(() => failing.read()).toThrow('host_statistics64(HOST_VM_INFO64) failed: kern_return_t 5');
  });
});

describe('network: NET_RT_IFLIST2', () => {
  interface Iface {
    index: number;
    name: string;
    flags: number;
    type: number;
    baudrate?: number;
    ibytes: number;
    obytes: number;
  }

  /** An RTM_IFINFO2 message: if_msghdr2, then the interface's sockaddr_dl (rounded up to 4 bytes). */
  function ifinfo2(i: Iface): Buffer {
    const name = Buffer.from(i.name, 'latin1');
    const dlLength = Math.max(L.size, L.sdl_data + name.length + 6);
    const message = Buffer.alloc(H.size + Math.ceil(dlLength / 4) * 4, 0);
    message.writeUInt16LE(message.length, H.ifm_msglen);
    message[H.ifm_version] = 5;
    message[H.ifm_type] = RTM_IFINFO2;
    message.writeInt32LE(RTA_IFP, H.ifm_addrs);
    message.writeInt32LE(i.flags, H.ifm_flags);
    message.writeUInt16LE(i.index, H.ifm_index);
    message.writeInt32LE(50, H.ifm_snd_maxlen);
    const data = H.ifm_data;
    message[data + D.ifi_type] = i.type;
    message.writeUInt32LE(1500, data + D.ifi_mtu);
    message.writeBigUInt64LE(BigInt(i.baudrate ?? 0), data + D.ifi_baudrate);
    message.writeBigUInt64LE(777n, data + D.ifi_ipackets);
    message.writeBigUInt64LE(BigInt(i.ibytes), data + D.ifi_ibytes);
    message.writeBigUInt64LE(BigInt(i.obytes), data + D.ifi_obytes);
    message.writeBigUInt64LE(888n, data + D.ifi_imcasts);
    const dl = H.size;
    message[dl + L.sdl_len] = dlLength;
    message[dl + L.sdl_family] = AF_LINK;
    message.writeUInt16LE(i.index, dl + L.sdl_index);
    message[dl + L.sdl_type] = i.type;
    message[dl + L.sdl_nlen] = name.length;
    message[dl + L.sdl_alen] = 6;
    name.copy(message, dl + L.sdl_data);
    message.fill(0xcc, dl + L.sdl_data + name.length, dl + L.sdl_data + name.length + 6);
    return message;
  }

  /** An RTM_NEWMADDR2 message (a multicast group), which the parser steps over. */
  function newmaddr2(index: number): Buffer {
    const message = Buffer.alloc(20 + 16, 0x5a);
    message.writeUInt16LE(message.length, 0);
    message[2] = 5;
    message[3] = 0x13;
    message.writeUInt16LE(index, 12);
    return message;
  }

  const MAC: Iface[] = [
    { index: 1, name: 'lo0', flags: IFF_LOOPBACK | 0x1, type: 0x18, ibytes: 9_000_000, obytes: 9_000_000 },
    { index: 4, name: 'en0', flags: 0x8863, type: 0x06, baudrate: 1_000_000_000, ibytes: 7 * 2 ** 32 + 5, obytes: 2 ** 36 },
    { index: 9, name: 'awdl0', flags: 0x8943, type: 0x06, ibytes: 100, obytes: 200 },
    { index: 12, name: 'utun3', flags: IFF_POINTOPOINT | 0x8001, type: 0x01, ibytes: 3000, obytes: 4000 },
    { index: 14, name: 'bridge0', flags: 0x8863, type: 0xd1, ibytes: 0, obytes: 0 },
    { index: 5, name: 'en1', flags: 0x8863, type: 0x06, baudrate: 0, ibytes: 1, obytes: 2 },
  ];

  function ifList(): Buffer {
    return Buffer.concat(MAC.flatMap((i) => [ifinfo2(i), newmaddr2(i.index), newmaddr2(i.index)]));
  }

  it('parses each RTM_IFINFO2: name from its sockaddr_dl, flags, type, baud rate, 64-bit byte counters; multicast messages skipped', () => {
    const buffer = ifList();
    const interfaces = parseIfList2(buffer, buffer.length);
    expect(interfaces.map((i) => i.name)).toEqual(['lo0', 'en0', 'awdl0', 'utun3', 'bridge0', 'en1']);
    expect(interfaces[1]).toEqual({ index: 4, name: 'en0', flags: 0x8863, type: 6, baudrate: 1e9, ibytes: 7 * 2 ** 32 + 5, obytes: 2 ** 36 });
  });

  it('classifies as on Linux: lo0 loopback; utun (point-to-point), bridge, awdl virtual; en0, en1 physical with their link speed when known', () => {
    const buffer = ifList();
    expect(countersFromIfList(parseIfList2(buffer, buffer.length))).toEqual([
      { iface: 'awdl0', rxBytes: 100, txBytes: 200, loopback: false, virtual: true, linkSpeedMbps: null },
      { iface: 'bridge0', rxBytes: 0, txBytes: 0, loopback: false, virtual: true, linkSpeedMbps: null },
      { iface: 'en0', rxBytes: 7 * 2 ** 32 + 5, txBytes: 2 ** 36, loopback: false, virtual: false, linkSpeedMbps: 1000 },
      { iface: 'en1', rxBytes: 1, txBytes: 2, loopback: false, virtual: false, linkSpeedMbps: null },
      { iface: 'lo0', rxBytes: 9_000_000, txBytes: 9_000_000, loopback: true, virtual: false, linkSpeedMbps: null },
      { iface: 'utun3', rxBytes: 3000, txBytes: 4000, loopback: false, virtual: true, linkSpeedMbps: null },
    ]);
  });

  it('a message running past the returned length, or an RTM_IFINFO2 shorter than if_msghdr2, is an error', () => {
    const buffer = ifList();
    expect(() => parseIfList2(buffer, buffer.length - 3)).toThrow(/runs past/);
    const short = ifinfo2(MAC[0]!).subarray(0, 100);
    short.writeUInt16LE(100, 0);
    expect(() => parseIfList2(short, 100)).toThrow(/if_msghdr2 is 160/);
  });

  it('the reader asks for the size first, then reads into its buffer; a list that grew (ENOMEM) is asked again', () => {
    let list = Buffer.concat([ifinfo2(MAC[0]!)]);
    const calls: string[] = [];
    const reader = createDarwinNetworkReader({
      sysctl(mib, buffer) {
        expect([...mib]).toEqual([4, 17, 0, 0, 6, 0]);
        calls.push(buffer ? `read ${buffer.length}` : 'size');
        if (!buffer) return list.length;
        if (buffer.length < list.length) return null;
        list.copy(buffer);
        return list.length;
      },
    });
    expect(reader.read()).toHaveLength(1);
    list = Buffer.concat(MAC.map(ifinfo2).concat(MAC.map(ifinfo2)).concat(MAC.map(ifinfo2)).concat(MAC.map(ifinfo2)).concat(MAC.map(ifinfo2)).concat(MAC.map(ifinfo2)));
    expect(reader.read()).toHaveLength(36);
    expect(calls).toEqual(['size', 'read 4096', 'read 4096', 'size', `read ${Math.ceil(list.length * 1.5)}`]);
  });
});

describe('disk: getfsstat', () => {
  function statfs(entries: { from: string; on: string; type: string; flags?: number; flagsExt?: number; blocks?: number; bfree?: number }[]): Buffer {
    const buffer = Buffer.alloc(entries.length * S.size, 0);
    entries.forEach((e, i) => {
      const at = i * S.size;
      buffer.writeUInt32LE(4096, at + S.f_bsize);
      buffer.writeInt32LE(1 << 20, at + S.f_iosize);
      buffer.writeBigUInt64LE(BigInt(e.blocks ?? 1000), at + S.f_blocks);
      buffer.writeBigUInt64LE(BigInt(e.bfree ?? 400), at + S.f_bfree);
      buffer.writeBigUInt64LE(BigInt(e.bfree ?? 400), at + S.f_bavail);
      buffer.writeUInt32LE(0x1a, at + S.f_type);
      buffer.writeUInt32LE(e.flags ?? 0x1000, at + S.f_flags);
      buffer.write(e.type, at + S.f_fstypename, 'utf8');
      buffer.write(e.on, at + S.f_mntonname, 'utf8');
      buffer.write(e.from, at + S.f_mntfromname, 'utf8');
      buffer.writeUInt32LE(e.flagsExt ?? 0, at + S.f_flags_ext);
    });
    return buffer;
  }

  // What getfsstat lists on a Mac with an external disk and an SMB share mounted.
  const MOUNTS = [
    { from: '/dev/disk3s1s1', on: '/', type: 'apfs', blocks: 120_000_000, bfree: 80_000_000 },
    { from: 'devfs', on: '/dev', type: 'devfs' },
    { from: '/dev/disk3s6', on: '/System/Volumes/VM', type: 'apfs', flags: 0x1000 | MNT_DONTBROWSE },
    { from: '/dev/disk3s2', on: '/System/Volumes/Preboot', type: 'apfs', flags: 0x1000 | MNT_DONTBROWSE },
    { from: '/dev/disk3s5', on: '/System/Volumes/Data', type: 'apfs', flags: 0x1000 | MNT_DONTBROWSE, flagsExt: MNT_EXT_ROOT_DATA_VOL },
    { from: 'map auto_home', on: '/System/Volumes/Data/home', type: 'autofs', flags: MNT_DONTBROWSE },
    { from: '/dev/disk4s1', on: '/Volumes/Backup Disk', type: 'hfs' },
    { from: '/dev/disk4s1', on: '/Volumes/Backup Disk/again', type: 'hfs' },
    { from: '//alice@nas.local/media', on: '/Volumes/media', type: 'smbfs', flags: 0 },
  ];

  it('parses device, mount point, type, flags and block counts of each entry', () => {
    const mounts = parseStatfsEntries(statfs(MOUNTS), MOUNTS.length);
    expect(mounts[0]).toEqual({ device: '/dev/disk3s1s1', mountPoint: '/', fsType: 'apfs', flags: 0x1000, flagsExt: 0, bsize: 4096, blocks: 120_000_000, bfree: 80_000_000 });
    expect(mounts[6]).toMatchObject({ mountPoint: '/Volumes/Backup Disk', fsType: 'hfs' });
  });

  it('keeps each mounted volume: local disks, the data volume, network shares; not devfs, autofs or hidden system volumes', () => {
    const volumes = selectDarwinVolumes(parseStatfsEntries(statfs(MOUNTS), MOUNTS.length));
    expect(volumes.map((v) => `${v.device} ${v.mountPoint}`)).toEqual([
      '/dev/disk3s1s1 /',
      '/dev/disk3s5 /System/Volumes/Data',
      '/dev/disk4s1 /Volumes/Backup Disk',
      '//alice@nas.local/media /Volumes/media',
    ]);
  });

  it('the reader measures each chosen volume afresh with statfs (not the cached getfsstat figures)', async () => {
    const reader = createDarwinDiskReader(
      { mounts: () => ({ buffer: statfs(MOUNTS), count: MOUNTS.length }) },
      { statfs: async (file) => (file === '/' ? { bsize: 4096, blocks: 120_000_000, bfree: 70_000_000, bavail: 70_000_000 } : { bsize: 512, blocks: 100, bfree: 25, bavail: 20 }) },
    );
    const disks = await reader.read();
    expect(disks[0]).toEqual({ device: '/dev/disk3s1s1', mountPoint: '/', fsType: 'apfs', total: 120_000_000 * 4096, used: 50_000_000 * 4096, free: 70_000_000 * 4096, available: 70_000_000 * 4096 });
    expect(disks.map((d) => d.mountPoint)).toEqual(['/', '/System/Volumes/Data', '/Volumes/Backup Disk', '/Volumes/media']);
    expect(disks[3]).toEqual({ device: '//alice@nas.local/media', mountPoint: '/Volumes/media', fsType: 'smbfs', total: 51200, used: 38400, free: 12800, available: 10240 });
  });
});
