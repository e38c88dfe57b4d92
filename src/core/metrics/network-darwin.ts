// Network on macOS: every interface's 64-bit byte counters from sysctl
// {CTL_NET, PF_ROUTE, 0, 0, NET_RT_IFLIST2, 0}, one call per tick into a Buffer we keep, no
// process spawned. (systeminformation runs netstat; getifaddrs' if_data has 32-bit counters,
// which wrap every ~35 s at 1 Gbit/s.) This is what `netstat -ib` reads.
//
// The answer is a run of routing messages: one RTM_IFINFO2 (struct if_msghdr2, holding an
// if_data64) per interface, followed by the interface's link-level address (a sockaddr_dl, which
// carries the name) when ifm_addrs has RTA_IFP; then RTM_NEWMADDR2 messages for its multicast
// groups, which are skipped. Each message starts with its length, so unknown ones are stepped over.
//
// Classification, as on Linux: loopback from IFF_LOOPBACK; virtual for point-to-point links
// (utun VPNs, ppp), tunnel, bridge, VLAN and bond types, and the name patterns macOS's software
// interfaces follow (awdl, llw, anpi, bridge, vmenet, …).
import type { InterfaceFlags } from '../../shared/model.js';
import { compareNames } from '../../shared/series.js';
import { VigilError } from '../../shared/errors.js';
import type { MachApi } from './cpu-darwin.js';
import { classifyByName } from './network.js';
import { readCString, readU64, requireBytes, type StructLayout } from './struct.js';
import type { NetCounter, NetworkReader } from './types.js';

/** struct if_msghdr2 (net/if.h): the fields we read, and ifm_data, the if_data64 inside. */
export const IF_MSGHDR2_LAYOUT = {
  size: 160,
  ifm_msglen: 0,
  ifm_version: 2,
  ifm_type: 3,
  ifm_addrs: 4,
  ifm_flags: 8,
  ifm_index: 12,
  ifm_snd_len: 16,
  ifm_snd_maxlen: 20,
  ifm_snd_drops: 24,
  ifm_timer: 28,
  ifm_data: 32,
} as const satisfies StructLayout;

/** struct if_data64 (net/if_var.h); ifi_lastchange is a struct timeval32 (8 bytes). */
export const IF_DATA64_LAYOUT = {
  size: 128,
  ifi_type: 0,
  ifi_typelen: 1,
  ifi_physical: 2,
  ifi_addrlen: 3,
  ifi_hdrlen: 4,
  ifi_recvquota: 5,
  ifi_xmitquota: 6,
  ifi_unused1: 7,
  ifi_mtu: 8,
  ifi_metric: 12,
  ifi_baudrate: 16,
  ifi_ipackets: 24,
  ifi_ierrors: 32,
  ifi_opackets: 40,
  ifi_oerrors: 48,
  ifi_collisions: 56,
  ifi_ibytes: 64,
  ifi_obytes: 72,
  ifi_imcasts: 80,
  ifi_omcasts: 88,
  ifi_iqdrops: 96,
  ifi_noproto: 104,
  ifi_recvtiming: 112,
  ifi_xmittiming: 116,
  ifi_lastchange: 120,
} as const satisfies StructLayout;

/** struct sockaddr_dl (net/if_dl.h): sdl_data holds the name (sdl_nlen bytes), then the address. */
export const SOCKADDR_DL_LAYOUT = {
  size: 20,
  sdl_len: 0,
  sdl_family: 1,
  sdl_index: 2,
  sdl_type: 4,
  sdl_nlen: 5,
  sdl_alen: 6,
  sdl_slen: 7,
  sdl_data: 8,
} as const satisfies StructLayout;

export const CTL_NET = 4;
export const PF_ROUTE = 17;
export const NET_RT_IFLIST2 = 6;
export const RTM_IFINFO2 = 0x12;
export const RTA_IFP = 0x10;
export const AF_LINK = 18;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
/** if_types.h: PPP, GIF and STF tunnels, 802.1Q VLAN, 802.3ad bond, bridge. */
export const VIRTUAL_IFT: ReadonlySet<number> = new Set([0x17, 0x37, 0x39, 0x87, 0x88, 0xd1]);

export interface DarwinInterface {
  index: number;
  name: string;
  flags: number;
  type: number;
  /** bits/s; 0 when unknown. */
  baudrate: number;
  ibytes: number;
  obytes: number;
}

/** Parses `length` bytes of NET_RT_IFLIST2 messages. */
export function parseIfList2(buffer: Buffer, length: number): DarwinInterface[] {
  const H = IF_MSGHDR2_LAYOUT;
  const D = IF_DATA64_LAYOUT;
  const S = SOCKADDR_DL_LAYOUT;
  requireBytes(buffer, 0, length, 'NET_RT_IFLIST2');
  const interfaces: DarwinInterface[] = [];
  let at = 0;
  while (at + 4 <= length) {
    const msglen = buffer.readUInt16LE(at + H.ifm_msglen);
    if (msglen < 4 || at + msglen > length) throw new VigilError('io_error', `NET_RT_IFLIST2: message of ${msglen} bytes at ${at} runs past the ${length} returned`);
    if (buffer[at + H.ifm_type] === RTM_IFINFO2) {
      if (msglen < H.size) throw new VigilError('io_error', `NET_RT_IFLIST2: RTM_IFINFO2 of ${msglen} bytes, if_msghdr2 is ${H.size}`);
      const index = buffer.readUInt16LE(at + H.ifm_index);
      const data = at + H.ifm_data;
      let name = '';
      const addrs = buffer.readInt32LE(at + H.ifm_addrs);
      const dl = at + H.size;
      if (addrs & RTA_IFP && dl + S.sdl_data <= at + msglen && buffer[dl + S.sdl_family] === AF_LINK) {
        const nameLength = Math.min(buffer[dl + S.sdl_nlen]!, at + msglen - (dl + S.sdl_data));
        name = readCString(buffer, dl + S.sdl_data, nameLength);
      }
      interfaces.push({
        index,
        name: name || `if${index}`,
        flags: buffer.readInt32LE(at + H.ifm_flags),
        type: buffer[data + D.ifi_type]!,
        baudrate: readU64(buffer, data + D.ifi_baudrate),
        ibytes: readU64(buffer, data + D.ifi_ibytes),
        obytes: readU64(buffer, data + D.ifi_obytes),
      });
    }
    at += msglen;
  }
  return interfaces;
}

export function classifyDarwinInterface(iface: DarwinInterface): InterfaceFlags {
  const loopback = (iface.flags & IFF_LOOPBACK) !== 0;
  if (loopback) return { loopback, virtual: false };
  const virtual = (iface.flags & IFF_POINTOPOINT) !== 0 || VIRTUAL_IFT.has(iface.type) || classifyByName(iface.name).virtual;
  return { loopback, virtual };
}

export function countersFromIfList(interfaces: readonly DarwinInterface[]): NetCounter[] {
  return interfaces
    .map((i) => {
      const flags = classifyDarwinInterface(i);
      const linkSpeedMbps = !flags.loopback && !flags.virtual && i.baudrate > 0 ? i.baudrate / 1e6 : null;
      return { iface: i.name, rxBytes: i.ibytes, txBytes: i.obytes, ...flags, linkSpeedMbps };
    })
    .sort((a, b) => compareNames(a.iface, b.iface));
}

export interface DarwinNetworkApi {
  /** sysctl(mib) into the buffer: the bytes written, or null when the buffer is too small (ENOMEM). */
  sysctl(mib: Int32Array, buffer: Buffer | null): number | null;
}

export function createDarwinNetworkReader(api: DarwinNetworkApi): NetworkReader {
  const mib = Int32Array.of(CTL_NET, PF_ROUTE, 0, 0, NET_RT_IFLIST2, 0);
  let buffer: Buffer | null = null;
  return {
    read() {
      for (let attempt = 0; attempt < 4; attempt++) {
        if (buffer) {
          const written = api.sysctl(mib, buffer);
          if (written !== null) return countersFromIfList(parseIfList2(buffer, written));
        }
        // First call, or interfaces were added since: ask for the size, with room to grow.
        const needed = api.sysctl(mib, null) ?? 0;
        buffer = Buffer.alloc(Math.max(4096, Math.ceil(needed * 1.5)));
      }
      throw new VigilError('io_error', 'sysctl NET_RT_IFLIST2: the interface list kept growing');
    },
  };
}

export function bindDarwinNetwork(mach: MachApi): DarwinNetworkApi {
  const sysctl = mach.libSystem.func('int sysctl(void *name, uint32_t nameLength, void *old, void *oldLength, void *new, size_t newLength)');
  const length = Buffer.alloc(8);
  return {
    sysctl(mib, buffer) {
      length.writeBigUInt64LE(BigInt(buffer?.length ?? 0), 0);
      const status = sysctl(mib, mib.length, buffer, length, null, 0) as number;
      // −1 with a buffer: ENOMEM, it was too small (the only failure this read can have once the size call worked).
      if (status !== 0) {
        if (buffer) return null;
        throw new VigilError('io_error', 'sysctl NET_RT_IFLIST2 failed');
      }
      return Number(length.readBigUInt64LE(0));
    },
  };
}
