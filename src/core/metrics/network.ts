// Network: for every interface, rx/tx bits per second from cumulative byte counters over the
// real (monotonic) elapsed time between two readings.
//
// Linux: /proc/net/dev (one file for all interfaces). Elsewhere: systeminformation's
// networkStats('*') byte counters — Node has no cheap path to interface counters there. Only the
// raw counters are taken from it; rates are ours (its own rx_sec is per-call state we do not own).
//
// Loopback and virtual interfaces are recorded but flagged, so totals can leave them out. On
// Linux the kernel says it: /sys/class/net/<if> resolves under /sys/devices/virtual/net for
// software interfaces (bridges, veth, tun/tap, bonds, VLANs, …) and the IFF_LOOPBACK bit is set in
// /sys/class/net/<if>/flags. Elsewhere: os.networkInterfaces().internal and name patterns.
// Bonds and VLANs count as virtual on purpose: their traffic is already counted on the physical
// NICs under them, so "physical only" totals do not count it twice.
import fs from 'node:fs';
import path from 'node:path';
import type { InterfaceFlags, NetRate } from '../../shared/model.js';
import { compareNames, quantize } from '../../shared/series.js';
import { VigilError } from '../../shared/errors.js';
import { ProcFile } from './procfile.js';
import type { LoadSystemInformation, NetCounter, NetworkReader, OsApi } from './types.js';

export const NET_RESOLUTION = 8;

/**
 * A rate above this is not traffic but a counter that jumped (interface re-created with a
 * higher counter, a torn 64-bit read, a driver resetting stats to garbage). When the link speed
 * is known, no direction can carry more than the wire: 2 × link speed leaves room for drivers
 * that publish counters in batches (a window can then see up to two intervals' worth). When it
 * is not known (loopback, virtual, Wi-Fi, virtio), 1 Tbit/s is above any NIC in common use
 * (400G is top of the range) and above loopback throughput, which is bounded by memory copy
 * bandwidth (tens of Gbit/s per stream; ~60 Gbit/s measured by iperf3 on fast desktops).
 */
export const MAX_UNKNOWN_LINK_BITS_PER_SECOND = 1e12;
export const LINK_SPEED_MARGIN = 2;

export interface ProcNetDevEntry {
  iface: string;
  rxBytes: number;
  txBytes: number;
  /** Absent where a line has fewer columns than today's 16. */
  rxPackets?: number;
  txPackets?: number;
  rxErrors?: number;
  txErrors?: number;
  rxDrops?: number;
  txDrops?: number;
}

/** The other counters of a /proc/net/dev line: field and column after the colon. */
const PROC_NET_DEV_COUNTS = [
  ['rxPackets', 1],
  ['rxErrors', 2],
  ['rxDrops', 3],
  ['txPackets', 9],
  ['txErrors', 10],
  ['txDrops', 11],
] as const;

/**
 * Parses /proc/net/dev: two header lines, then `name:` and 16 numbers: receive bytes, packets,
 * errs, drop, fifo, frame, compressed, multicast; transmit bytes, packets, errs, drop, fifo,
 * colls, carrier, compressed.
 */
export function parseProcNetDev(text: string): ProcNetDevEntry[] {
  const entries: ProcNetDevEntry[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    // Long names are glued to their first number ("verylongname0:12345 …"), so split at the
    // colon; the two header lines have '|' and no colon.
    const colon = line.indexOf(':');
    if (colon <= 0 || line.includes('|')) continue;
    const iface = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    const rxBytes = Number(fields[0]);
    const txBytes = Number(fields[8]);
    if (!iface || fields.length < 9 || !Number.isFinite(rxBytes) || !Number.isFinite(txBytes) || rxBytes < 0 || txBytes < 0) {
      throw new VigilError('io_error', `unexpected /proc/net/dev line: ${line}`);
    }
    const entry: ProcNetDevEntry = { iface, rxBytes, txBytes };
    for (const [name, i] of PROC_NET_DEV_COUNTS) {
      const n = fields[i] === undefined ? NaN : Number(fields[i]);
      if (Number.isFinite(n) && n >= 0) entry[name] = n;
    }
    entries.push(entry);
  }
  return entries;
}

const LOOPBACK_NAME = /^lo\d*$|loopback/i;
// Software interfaces by name, for when the OS does not say (no /sys, macOS, Windows).
const VIRTUAL_NAME = new RegExp(
  [
    // Linux: containers, bridges, tunnels, VPNs, bonds, VLANs (eth0.100), …
    '^(docker|br-|veth|virbr|vnet|vmnet|vboxnet|tun|tap|wg|zt|tailscale|flannel|cali|cni|weave|kube-|lxc|lxd|ifb|dummy|bond|team|vxlan|geneve|gre|sit|ipip|ip6tnl|nlmon|macvlan|macvtap|ipvlan|podman|cilium|vrf)',
    '^[^.]+\\.\\d+$',
    // macOS: utun (VPN), awdl/llw (AirDrop), bridge, gif/stf (tunnels), anpi, feth, vmenet
    '^(utun|awdl|llw|bridge|gif|stf|anpi|feth|vmenet|ipsec|ppp)\\d*',
    // Windows friendly names and adapter descriptions
    'vethernet|virtual|hyper-v|vmware|virtualbox|vpn|wireguard|tap-windows|zerotier|tailscale|teredo|isatap|pseudo-interface',
  ].join('|'),
  'i',
);

/** Classification from the name alone (and the OS's internal flag when known). */
export function classifyByName(iface: string, internal = false): InterfaceFlags {
  const loopback = internal || LOOPBACK_NAME.test(iface);
  return { loopback, virtual: !loopback && VIRTUAL_NAME.test(iface) };
}

export interface LinuxInterfaceClass extends InterfaceFlags {
  linkSpeedMbps: number | null;
}

const IFF_LOOPBACK = 0x8;

/**
 * Classifies one Linux interface from /sys/class/net (under root). Loopback is not also marked
 * virtual: the two flags name two different kinds.
 */
export function classifyLinuxInterface(root: string, iface: string): LinuxInterfaceClass {
  const dir = path.join(root, 'sys/class/net', iface);
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    // No /sys (some containers) or an interface from another namespace: fall back to the name.
    return { ...classifyByName(iface), linkSpeedMbps: null };
  }
  const flags = readSysNumber(path.join(dir, 'flags'), 16);
  const loopback = flags !== null ? (flags & IFF_LOOPBACK) !== 0 : LOOPBACK_NAME.test(iface);
  const virtual = !loopback && real.split(path.sep).join('/').includes('/devices/virtual/');
  // Virtual interfaces report made-up speeds (tun says 10 Mbit/s), so only trust physical ones.
  const speed = loopback || virtual ? null : readSysNumber(path.join(dir, 'speed'), 10);
  return { loopback, virtual, linkSpeedMbps: speed !== null && speed > 0 ? speed : null };
}

/** A small integer sysfs attribute; null when missing or unreadable (speed of a down link: EINVAL). */
export function readSysNumber(file: string, radix: 10 | 16): number | null {
  try {
    const text = fs.readFileSync(file, 'latin1').trim();
    const value = Number.parseInt(radix === 16 ? text.replace(/^0x/i, '') : text, radix);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Delta tracker for interface byte counters (the Beszel way): the first reading of an interface
 * is a baseline (null rates); a counter that goes backwards (reset, 32-bit wrap, interface
 * re-created) or jumps further than the link could carry starts a new baseline (null) instead of
 * a negative or absurd value; interfaces that vanish are forgotten, so a reappearing one starts
 * from a baseline again.
 */
export class NetRateTracker {
  private readonly previous = new Map<string, { rx: number; tx: number; at: number; seen: number }>();
  private generation = 0;
  /** Interfaces whose last delta was rejected as impossible (their link speed may have changed). */
  rejected: string[] = [];

  reset(): void {
    this.previous.clear();
    this.rejected = [];
  }

  /** Rates for every counter, sorted by interface name. `atMs` is monotonic time of the reading. */
  update(counters: readonly NetCounter[], atMs: number): NetRate[] {
    const generation = ++this.generation;
    this.rejected = [];
    const rates: NetRate[] = [];
    for (const c of counters) {
      const before = this.previous.get(c.iface);
      let rx: number | null = null;
      let tx: number | null = null;
      if (before && atMs > before.at && before.seen === generation - 1) {
        const seconds = (atMs - before.at) / 1000;
        const dRx = c.rxBytes - before.rx;
        const dTx = c.txBytes - before.tx;
        if (dRx >= 0 && dTx >= 0) {
          const rxBps = (dRx * 8) / seconds;
          const txBps = (dTx * 8) / seconds;
          const limit = c.linkSpeedMbps ? c.linkSpeedMbps * 1e6 * LINK_SPEED_MARGIN : MAX_UNKNOWN_LINK_BITS_PER_SECOND;
          if (rxBps <= limit && txBps <= limit) {
            rx = quantize(rxBps, NET_RESOLUTION);
            tx = quantize(txBps, NET_RESOLUTION);
          } else {
            this.rejected.push(c.iface);
          }
        }
      }
      if (before) {
        before.rx = c.rxBytes;
        before.tx = c.txBytes;
        before.at = atMs;
        before.seen = generation;
      } else {
        this.previous.set(c.iface, { rx: c.rxBytes, tx: c.txBytes, at: atMs, seen: generation });
      }
      rates.push({ iface: c.iface, rxBitsPerSecond: rx, txBitsPerSecond: tx, loopback: c.loopback, virtual: c.virtual });
    }
    if (this.previous.size > counters.length) {
      for (const [iface, state] of this.previous) if (state.seen !== generation) this.previous.delete(iface);
    }
    return rates.sort((a, b) => compareNames(a.iface, b.iface));
  }
}

/** The Linux fast path: one read of /proc/net/dev (see procfile.ts); classification cached per name. */
export function createLinuxNetworkReader(root = '/'): NetworkReader {
  const file = new ProcFile(path.join(root, 'proc/net/dev'));
  const classes = new Map<string, { value: LinuxInterfaceClass; seen: number }>();
  let generation = 0;
  return {
    read() {
      const entries = parseProcNetDev(file.read());
      generation++;
      const counters: NetCounter[] = new Array(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        let cls = classes.get(e.iface);
        if (!cls) {
          cls = { value: classifyLinuxInterface(root, e.iface), seen: generation };
          classes.set(e.iface, cls);
        }
        cls.seen = generation;
        const { loopback, virtual, linkSpeedMbps } = cls.value;
        counters[i] = { ...e, loopback, virtual, linkSpeedMbps };
      }
      // Forget vanished interfaces, so one that comes back is classified afresh.
      if (classes.size > entries.length) {
        for (const [iface, cls] of classes) if (cls.seen !== generation) classes.delete(iface);
      }
      return counters;
    },
    recheck(iface) {
      classes.delete(iface);
    },
  };
}

/** The portable path: systeminformation counters, classification from os.networkInterfaces() and names. */
export function createPortableNetworkReader(osApi: Pick<OsApi, 'networkInterfaces'>, loadSi: LoadSystemInformation): NetworkReader {
  const classes = new Map<string, { value: InterfaceFlags; seen: number }>();
  let generation = 0;
  return {
    async read() {
      const si = await loadSi();
      const stats = await si.networkStats('*');
      generation++;
      let osInterfaces: ReturnType<OsApi['networkInterfaces']> | null = null;
      const counters: NetCounter[] = [];
      for (const s of stats) {
        if (!s.iface || !Number.isFinite(s.rx_bytes) || !Number.isFinite(s.tx_bytes)) continue;
        let cls = classes.get(s.iface);
        if (!cls) {
          osInterfaces ??= osApi.networkInterfaces();
          const internal = osInterfaces[s.iface]?.some((a) => a.internal) ?? false;
          cls = { value: classifyByName(s.iface, internal), seen: generation };
          classes.set(s.iface, cls);
        }
        cls.seen = generation;
        // No link speed here (it would cost systeminformation's networkInterfaces(): ~80 spawns on
        // Linux): jumps are bounded by the 1 Tbit/s limit only.
        counters.push({ iface: s.iface, rxBytes: s.rx_bytes, txBytes: s.tx_bytes, ...cls.value, linkSpeedMbps: null });
      }
      if (classes.size > counters.length) {
        for (const [iface, cls] of classes) if (cls.seen !== generation) classes.delete(iface);
      }
      return counters;
    },
    recheck(iface) {
      classes.delete(iface);
    },
  };
}
