// The struct layouts the Windows and macOS readers read at fixed offsets, checked against the
// documented C declarations: each struct below is copied field by field from its header (named
// above it), with fixed-width types, and koffi computes its offsets and size with the C ABI's
// alignment rules, which are the same for these types on x64 Linux (where this runs), Win64 and
// 64-bit macOS. Every offset in our tables must match, and every size.
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { PROCESSOR_CPU_LOAD_INFO_LAYOUT } from '../../../src/core/metrics/cpu-darwin.js';
import { PROCESSOR_PERFORMANCE_LAYOUT } from '../../../src/core/metrics/cpu-win32.js';
import { STATFS64_LAYOUT } from '../../../src/core/metrics/disk-darwin.js';
import { HOST_VM_INFO64_COUNT, VM_STATISTICS64_LAYOUT, XSW_USAGE_LAYOUT } from '../../../src/core/metrics/memory-darwin.js';
import { MEMORYSTATUSEX_LAYOUT, PAGEFILE_INFORMATION_LAYOUT } from '../../../src/core/metrics/memory-win32.js';
import { IF_DATA64_LAYOUT, IF_MSGHDR2_LAYOUT, SOCKADDR_DL_LAYOUT } from '../../../src/core/metrics/network-darwin.js';
import { MIB_IF_ROW2_LAYOUT, MIB_IF_TABLE2_LAYOUT } from '../../../src/core/metrics/network-win32.js';
import type { StructLayout } from '../../../src/core/metrics/struct.js';

type Declaration = ReturnType<typeof koffi.struct>;

function expectLayout(layout: StructLayout, declaration: Declaration): void {
  expect(koffi.sizeof(declaration)).toBe(layout.size);
  const fields = Object.keys(layout).filter((key) => key !== 'size');
  expect(fields.length).toBeGreaterThan(0);
  for (const field of fields) expect({ field, offset: layout[field] }).toEqual({ field, offset: koffi.offsetof(declaration, field) });
}

const u8 = 'uint8_t';
const u16 = 'uint16_t';
const u32 = 'uint32_t';
const i32 = 'int32_t';
const u64 = 'uint64_t';
const i64 = 'int64_t';
const bytes = (n: number) => koffi.array(u8, n);

describe('Windows structs', () => {
  // guiddef.h
  const GUID = koffi.struct('GUID_layout', { Data1: u32, Data2: u16, Data3: u16, Data4: bytes(8) });

  // netioapi.h: MIB_IF_ROW2. NET_LUID is a union around a ULONG64; IFTYPE, NET_IFINDEX are ULONG;
  // the enums are 4 bytes; InterfaceAndOperStatusFlags is a struct of eight BOOLEAN : 1 bit fields
  // (one byte); IF_MAX_STRING_SIZE = 256, IF_MAX_PHYS_ADDRESS_LENGTH = 32.
  const MIB_IF_ROW2 = koffi.struct('MIB_IF_ROW2_layout', {
    InterfaceLuid: u64,
    InterfaceIndex: u32,
    InterfaceGuid: GUID,
    Alias: koffi.array(u16, 257),
    Description: koffi.array(u16, 257),
    PhysicalAddressLength: u32,
    PhysicalAddress: bytes(32),
    PermanentPhysicalAddress: bytes(32),
    Mtu: u32,
    Type: u32,
    TunnelType: i32,
    MediaType: i32,
    PhysicalMediumType: i32,
    AccessType: i32,
    DirectionType: i32,
    InterfaceAndOperStatusFlags: u8,
    OperStatus: i32,
    AdminStatus: i32,
    MediaConnectState: i32,
    NetworkGuid: GUID,
    ConnectionType: i32,
    TransmitLinkSpeed: u64,
    ReceiveLinkSpeed: u64,
    InOctets: u64,
    InUcastPkts: u64,
    InNUcastPkts: u64,
    InDiscards: u64,
    InErrors: u64,
    InUnknownProtos: u64,
    InUcastOctets: u64,
    InMulticastOctets: u64,
    InBroadcastOctets: u64,
    OutOctets: u64,
    OutUcastPkts: u64,
    OutNUcastPkts: u64,
    OutDiscards: u64,
    OutErrors: u64,
    OutUcastOctets: u64,
    OutMulticastOctets: u64,
    OutBroadcastOctets: u64,
    OutQLen: u64,
  });

  it('MIB_IF_ROW2: 1,352 bytes, Alias at 28, the 64-bit counters from 1,208', () => {
    expectLayout(MIB_IF_ROW2_LAYOUT, MIB_IF_ROW2);
    expect(MIB_IF_ROW2_LAYOUT).toMatchObject({ size: 1352, Alias: 28, InOctets: 1208, OutOctets: 1280 });
  });

  it('MIB_IF_TABLE2: NumEntries, then the rows at 8', () => {
    const MIB_IF_TABLE2 = koffi.struct('MIB_IF_TABLE2_layout', { NumEntries: u32, Table: koffi.array(MIB_IF_ROW2, 1) });
    expect(koffi.offsetof(MIB_IF_TABLE2, 'NumEntries')).toBe(MIB_IF_TABLE2_LAYOUT.NumEntries);
    expect(koffi.offsetof(MIB_IF_TABLE2, 'Table')).toBe(MIB_IF_TABLE2_LAYOUT.Table);
  });

  it('SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION: five LARGE_INTEGERs and a ULONG, 48 bytes', () => {
    const declaration = koffi.struct('SPPI_layout', { IdleTime: i64, KernelTime: i64, UserTime: i64, DpcTime: i64, InterruptTime: i64, InterruptCount: u32 });
    expectLayout(PROCESSOR_PERFORMANCE_LAYOUT, declaration);
  });

  it('MEMORYSTATUSEX: 64 bytes', () => {
    const declaration = koffi.struct('MEMORYSTATUSEX_layout', {
      dwLength: u32,
      dwMemoryLoad: u32,
      ullTotalPhys: u64,
      ullAvailPhys: u64,
      ullTotalPageFile: u64,
      ullAvailPageFile: u64,
      ullTotalVirtual: u64,
      ullAvailVirtual: u64,
      ullAvailExtendedVirtual: u64,
    });
    expectLayout(MEMORYSTATUSEX_LAYOUT, declaration);
  });

  it('SYSTEM_PAGEFILE_INFORMATION (64-bit): four ULONGs and a UNICODE_STRING, 32 bytes', () => {
    const UNICODE_STRING = koffi.struct('UNICODE_STRING_layout', { Length: u16, MaximumLength: u16, Buffer: 'void *' });
    const declaration = koffi.struct('SPFI_layout', { NextEntryOffset: u32, TotalSize: u32, TotalInUse: u32, PeakUsage: u32, PageFileName: UNICODE_STRING });
    expectLayout(PAGEFILE_INFORMATION_LAYOUT, declaration);
  });
});

describe('macOS structs', () => {
  it('processor_cpu_load_info (mach/processor_info.h): natural_t cpu_ticks[CPU_STATE_MAX], states user, system, idle, nice', () => {
    const declaration = koffi.struct('processor_cpu_load_info_layout', { cpu_ticks: koffi.array(u32, 4) });
    expect(koffi.sizeof(declaration)).toBe(PROCESSOR_CPU_LOAD_INFO_LAYOUT.size);
    // CPU_STATE_USER 0, CPU_STATE_SYSTEM 1, CPU_STATE_IDLE 2, CPU_STATE_NICE 3 (mach/machine.h).
    expect([PROCESSOR_CPU_LOAD_INFO_LAYOUT.CPU_STATE_USER, PROCESSOR_CPU_LOAD_INFO_LAYOUT.CPU_STATE_SYSTEM, PROCESSOR_CPU_LOAD_INFO_LAYOUT.CPU_STATE_IDLE, PROCESSOR_CPU_LOAD_INFO_LAYOUT.CPU_STATE_NICE]).toEqual(
      [0, 1, 2, 3].map((state) => state * koffi.sizeof(u32)),
    );
  });

  it('vm_statistics64 (mach/vm_statistics.h): 152 bytes, HOST_VM_INFO64_COUNT 38', () => {
    const declaration = koffi.struct('vm_statistics64_layout', {
      free_count: u32,
      active_count: u32,
      inactive_count: u32,
      wire_count: u32,
      zero_fill_count: u64,
      reactivations: u64,
      pageins: u64,
      pageouts: u64,
      faults: u64,
      cow_faults: u64,
      lookups: u64,
      hits: u64,
      purges: u64,
      purgeable_count: u32,
      speculative_count: u32,
      decompressions: u64,
      compressions: u64,
      swapins: u64,
      swapouts: u64,
      compressor_page_count: u32,
      throttled_count: u32,
      external_page_count: u32,
      internal_page_count: u32,
      total_uncompressed_pages_in_compressor: u64,
    });
    expectLayout(VM_STATISTICS64_LAYOUT, declaration);
    expect(HOST_VM_INFO64_COUNT).toBe(38);
  });

  it('xsw_usage (sys/sysctl.h): 32 bytes', () => {
    const declaration = koffi.struct('xsw_usage_layout', { xsu_total: u64, xsu_avail: u64, xsu_used: u64, xsu_pagesize: u32, xsu_encrypted: i32 });
    expectLayout(XSW_USAGE_LAYOUT, declaration);
  });

  // net/if_var.h declares if_data64 under #pragma pack(4); that moves nothing here, since every
  // 64-bit member already sits at a multiple of 8 and the size (128) is one too.
  const timeval32 = koffi.struct('timeval32_layout', { tv_sec: i32, tv_usec: i32 });
  const if_data64 = koffi.struct('if_data64_layout', {
    ifi_type: u8,
    ifi_typelen: u8,
    ifi_physical: u8,
    ifi_addrlen: u8,
    ifi_hdrlen: u8,
    ifi_recvquota: u8,
    ifi_xmitquota: u8,
    ifi_unused1: u8,
    ifi_mtu: u32,
    ifi_metric: u32,
    ifi_baudrate: u64,
    ifi_ipackets: u64,
    ifi_ierrors: u64,
    ifi_opackets: u64,
    ifi_oerrors: u64,
    ifi_collisions: u64,
    ifi_ibytes: u64,
    ifi_obytes: u64,
    ifi_imcasts: u64,
    ifi_omcasts: u64,
    ifi_iqdrops: u64,
    ifi_noproto: u64,
    ifi_recvtiming: u32,
    ifi_xmittiming: u32,
    ifi_lastchange: timeval32,
  });

  it('if_data64 (net/if_var.h): 128 bytes, ifi_ibytes at 64, ifi_obytes at 72', () => {
    expectLayout(IF_DATA64_LAYOUT, if_data64);
  });

  it('if_msghdr2 (net/if.h): 160 bytes, its if_data64 at 32', () => {
    const declaration = koffi.struct('if_msghdr2_layout', {
      ifm_msglen: u16,
      ifm_version: u8,
      ifm_type: u8,
      ifm_addrs: i32,
      ifm_flags: i32,
      ifm_index: u16,
      ifm_snd_len: i32,
      ifm_snd_maxlen: i32,
      ifm_snd_drops: i32,
      ifm_timer: i32,
      ifm_data: if_data64,
    });
    expectLayout(IF_MSGHDR2_LAYOUT, declaration);
  });

  it('sockaddr_dl (net/if_dl.h): 20 bytes, the name from sdl_data at 8', () => {
    const declaration = koffi.struct('sockaddr_dl_layout', {
      sdl_len: u8,
      sdl_family: u8,
      sdl_index: u16,
      sdl_type: u8,
      sdl_nlen: u8,
      sdl_alen: u8,
      sdl_slen: u8,
      sdl_data: bytes(12),
    });
    expectLayout(SOCKADDR_DL_LAYOUT, declaration);
  });

  it('struct statfs with 64-bit inodes (sys/mount.h, __DARWIN_STRUCT_STATFS64): 2,168 bytes', () => {
    const declaration = koffi.struct('statfs64_layout', {
      f_bsize: u32,
      f_iosize: i32,
      f_blocks: u64,
      f_bfree: u64,
      f_bavail: u64,
      f_files: u64,
      f_ffree: u64,
      f_fsid: koffi.array(i32, 2),
      f_owner: u32,
      f_type: u32,
      f_flags: u32,
      f_fssubtype: u32,
      f_fstypename: bytes(16),
      f_mntonname: bytes(1024),
      f_mntfromname: bytes(1024),
      f_flags_ext: u32,
      f_reserved: koffi.array(u32, 7),
    });
    expectLayout(STATFS64_LAYOUT, declaration);
  });
});
