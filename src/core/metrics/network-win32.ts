// Network on Windows: every interface's 64-bit byte counters from iphlpapi's GetIfTable2
// (MIB_IF_TABLE2 of MIB_IF_ROW2), one call per tick, no process spawned. (systeminformation reads
// them through PowerShell, seconds per call.)
//
// Which rows are interfaces: GetIfTable2 also lists NDIS filter modules stacked on an adapter
// ("Ethernet-WFP Native MAC Layer LightWeight Filter-0000", "…-QoS Packet Scheduler-0000"), which
// repeat that adapter's counters: rows with the FilterInterface flag are left out, so traffic is
// never counted twice. So are rows whose OperStatus is NotPresent (a driver with no device: the
// kernel debugger adapter, a removed USB NIC).
//
// Names: the Alias, the name users see ("Ethernet", "Wi-Fi"), which is also the key of
// os.networkInterfaces() (both come from the same adapter), so the host snapshot and the counters
// agree.
//
// Classification, as on Linux (loopback and virtual flagged so totals can leave them out):
// - loopback: Type IF_TYPE_SOFTWARE_LOOPBACK, or MediaType NdisMediumLoopback;
// - virtual: tunnels (Type IF_TYPE_TUNNEL, a TunnelType, MediaType NdisMediumTunnel), PPP and
//   WAN links (VPNs), MediaType NdisMediumIP (WireGuard's and other layer-3 adapters),
//   IF_TYPE_PROP_VIRTUAL, and any adapter Windows does not mark HardwareInterface (Hyper-V's
//   vEthernet, VPN and container adapters); the shared name patterns catch the rest (a TAP
//   adapter some driver marks as hardware).
import type { InterfaceFlags } from '../../shared/model.js';
import { compareNames } from '../../shared/series.js';
import { VigilError } from '../../shared/errors.js';
import { loadLibrary, type Koffi } from './koffi.js';
import { classifyByName } from './network.js';
import { readU64, readWideString, requireBytes, type StructLayout } from './struct.js';
import type { NetCounter, NetworkReader } from './types.js';

/** IF_MAX_STRING_SIZE + 1 WCHARs (ifdef.h). */
const IF_STRING_CHARS = 257;

/**
 * MIB_IF_ROW2 (netioapi.h), the same on x64, arm64 and x86 (its 64-bit members are 8-aligned
 * everywhere). Between Description and the counters: PhysicalAddressLength, two
 * UCHAR[IF_MAX_PHYS_ADDRESS_LENGTH = 32], Mtu, the enums, the flags byte (padded to 4),
 * OperStatus, AdminStatus, MediaConnectState, NetworkGuid, ConnectionType, 4 bytes of padding.
 */
export const MIB_IF_ROW2_LAYOUT = {
  size: 1352,
  InterfaceLuid: 0,
  InterfaceIndex: 8,
  InterfaceGuid: 12,
  Alias: 28,
  Description: 28 + IF_STRING_CHARS * 2,
  PhysicalAddressLength: 1056,
  PhysicalAddress: 1060,
  PermanentPhysicalAddress: 1092,
  Mtu: 1124,
  Type: 1128,
  TunnelType: 1132,
  MediaType: 1136,
  PhysicalMediumType: 1140,
  AccessType: 1144,
  DirectionType: 1148,
  InterfaceAndOperStatusFlags: 1152,
  OperStatus: 1156,
  AdminStatus: 1160,
  MediaConnectState: 1164,
  NetworkGuid: 1168,
  ConnectionType: 1184,
  TransmitLinkSpeed: 1192,
  ReceiveLinkSpeed: 1200,
  InOctets: 1208,
  InUcastPkts: 1216,
  InNUcastPkts: 1224,
  InDiscards: 1232,
  InErrors: 1240,
  InUnknownProtos: 1248,
  InUcastOctets: 1256,
  InMulticastOctets: 1264,
  InBroadcastOctets: 1272,
  OutOctets: 1280,
  OutUcastPkts: 1288,
  OutNUcastPkts: 1296,
  OutDiscards: 1304,
  OutErrors: 1312,
  OutUcastOctets: 1320,
  OutMulticastOctets: 1328,
  OutBroadcastOctets: 1336,
  OutQLen: 1344,
} as const satisfies StructLayout;

/** MIB_IF_TABLE2: ULONG NumEntries, then the rows at their 8-byte alignment. */
export const MIB_IF_TABLE2_LAYOUT = { size: 8, NumEntries: 0, Table: 8 } as const satisfies StructLayout;

/** Bits of InterfaceAndOperStatusFlags (a BOOLEAN bit field, first member first). */
export const IF_FLAGS = { HardwareInterface: 0x01, FilterInterface: 0x02, ConnectorPresent: 0x04, NotAuthenticated: 0x08, NotMediaConnected: 0x10 } as const;

export const IF_TYPE = { ETHERNET_CSMACD: 6, PPP: 23, SOFTWARE_LOOPBACK: 24, PROP_VIRTUAL: 53, IEEE80211: 71, TUNNEL: 131 } as const;
/** NDIS_MEDIUM values that matter here. */
export const NDIS_MEDIUM = { Wan: 3, CoWan: 12, Tunnel: 15, Loopback: 17, IP: 19 } as const;
export const IF_OPER_STATUS = { Up: 1, Down: 2, NotPresent: 6 } as const;

export interface IfRow2 {
  index: number;
  alias: string;
  description: string;
  type: number;
  tunnelType: number;
  mediaType: number;
  flags: number;
  operStatus: number;
  inOctets: number;
  outOctets: number;
  /** bits/s; 0 when unknown. */
  receiveLinkSpeed: number;
  transmitLinkSpeed: number;
}

/** Parses a MIB_IF_TABLE2 copied into `buffer` (NumEntries rows). */
export function parseIfTable2(buffer: Buffer): IfRow2[] {
  const T = MIB_IF_TABLE2_LAYOUT;
  const R = MIB_IF_ROW2_LAYOUT;
  requireBytes(buffer, 0, T.size, 'MIB_IF_TABLE2');
  const count = buffer.readUInt32LE(T.NumEntries);
  requireBytes(buffer, T.Table, count * R.size, `MIB_IF_TABLE2 of ${count} rows`);
  const rows: IfRow2[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = T.Table + i * R.size;
    rows[i] = {
      index: buffer.readUInt32LE(at + R.InterfaceIndex),
      alias: readWideString(buffer, at + R.Alias, IF_STRING_CHARS),
      description: readWideString(buffer, at + R.Description, IF_STRING_CHARS),
      type: buffer.readUInt32LE(at + R.Type),
      tunnelType: buffer.readUInt32LE(at + R.TunnelType),
      mediaType: buffer.readUInt32LE(at + R.MediaType),
      flags: buffer[at + R.InterfaceAndOperStatusFlags]!,
      operStatus: buffer.readUInt32LE(at + R.OperStatus),
      inOctets: readU64(buffer, at + R.InOctets),
      outOctets: readU64(buffer, at + R.OutOctets),
      receiveLinkSpeed: readU64(buffer, at + R.ReceiveLinkSpeed),
      transmitLinkSpeed: readU64(buffer, at + R.TransmitLinkSpeed),
    };
  }
  return rows;
}

const VIRTUAL_TYPES: ReadonlySet<number> = new Set([IF_TYPE.PPP, IF_TYPE.PROP_VIRTUAL, IF_TYPE.TUNNEL]);
const VIRTUAL_MEDIA: ReadonlySet<number> = new Set([NDIS_MEDIUM.Wan, NDIS_MEDIUM.CoWan, NDIS_MEDIUM.Tunnel, NDIS_MEDIUM.IP]);

export function classifyWindowsInterface(row: IfRow2): InterfaceFlags {
  const loopback = row.type === IF_TYPE.SOFTWARE_LOOPBACK || row.mediaType === NDIS_MEDIUM.Loopback;
  if (loopback) return { loopback, virtual: false };
  const virtual =
    VIRTUAL_TYPES.has(row.type) ||
    row.tunnelType !== 0 ||
    VIRTUAL_MEDIA.has(row.mediaType) ||
    (row.flags & IF_FLAGS.HardwareInterface) === 0 ||
    classifyByName(row.alias).virtual ||
    classifyByName(row.description).virtual;
  return { loopback, virtual };
}

/** A link speed Windows reports (bits/s) in Mbit/s, for physical interfaces only; null when unknown. */
function linkSpeedMbps(row: IfRow2, flags: InterfaceFlags): number | null {
  if (flags.loopback || flags.virtual) return null;
  const speed = Math.max(row.receiveLinkSpeed, row.transmitLinkSpeed);
  // 0 = unknown; all ones (ULONG64 −1) = unknown too.
  return speed > 0 && speed < 2 ** 63 ? speed / 1e6 : null;
}

/** The interfaces among the rows (see the file comment), named, classified, sorted by name. */
export function countersFromIfTable(rows: readonly IfRow2[]): NetCounter[] {
  const counters: NetCounter[] = [];
  const names = new Set<string>();
  for (const row of rows) {
    if (row.flags & IF_FLAGS.FilterInterface) continue;
    if (row.operStatus === IF_OPER_STATUS.NotPresent) continue;
    let name = row.alias || row.description || `if${row.index}`;
    // Aliases are unique on Windows; should two rows share one, keep both apart.
    if (names.has(name)) name = `${name} #${row.index}`;
    names.add(name);
    const flags = classifyWindowsInterface(row);
    counters.push({ iface: name, rxBytes: row.inOctets, txBytes: row.outOctets, ...flags, linkSpeedMbps: linkSpeedMbps(row, flags) });
  }
  return counters.sort((a, b) => compareNames(a.iface, b.iface));
}

export interface WindowsNetworkApi {
  /** GetIfTable2, copied into a Buffer (the OS's table is freed before this returns). */
  ifTable(): Buffer;
}

export function createWindowsNetworkReader(api: WindowsNetworkApi): NetworkReader {
  // Every row is re-read each tick (classification included): no cache to invalidate.
  return { read: () => countersFromIfTable(parseIfTable2(api.ifTable())) };
}

/** Binds GetIfTable2 / FreeMibTable (iphlpapi.dll) and a copy into a Buffer kept between calls. */
export function bindWindowsNetwork(koffi: Koffi): WindowsNetworkApi {
  const iphlpapi = loadLibrary(koffi, 'iphlpapi.dll');
  const kernel32 = loadLibrary(koffi, 'kernel32.dll');
  const getIfTable2 = iphlpapi.func('uint32_t __stdcall GetIfTable2(_Out_ void **table)');
  const freeMibTable = iphlpapi.func('void __stdcall FreeMibTable(void *memory)');
  const copyMemory = kernel32.func('void __stdcall RtlMoveMemory(void *destination, void *source, size_t length)');
  const out: unknown[] = [null];
  let buffer = Buffer.alloc(MIB_IF_TABLE2_LAYOUT.Table + 16 * MIB_IF_ROW2_LAYOUT.size);
  return {
    ifTable() {
      out[0] = null;
      const status = getIfTable2(out) as number;
      if (status !== 0) throw new VigilError('io_error', `GetIfTable2 failed: error ${status}`);
      const table = out[0];
      try {
        const count = koffi.decode(table, 'uint32_t') as number;
        const length = MIB_IF_TABLE2_LAYOUT.Table + count * MIB_IF_ROW2_LAYOUT.size;
        if (buffer.length < length) buffer = Buffer.alloc(length * 2);
        copyMemory(buffer, table, length);
        return buffer.subarray(0, length);
      } finally {
        freeMibTable(table);
      }
    },
  };
}
