// Host snapshot: what the machine is (hostname, user, OS, kernel, boot time, CPU, interfaces).
// Taken at start and whenever it changes; the sampler compares a cheap fingerprint first.
//
// Linux: /proc, /sys, /etc/os-release and Node's os module only. Importing systeminformation
// costs ~6–10 MB of resident memory for good (measured when the readers were written), a fifth of the agent's budget.
// Elsewhere: os for what it knows, systeminformation (loaded lazily) for the rest: OS name,
// physical cores, max frequency, MTU.
//
// Snapshots are canonical (interfaces and addresses sorted) so two snapshots of an unchanged
// machine are deeply equal whatever order the OS listed things in.
import fs from 'node:fs';
import path from 'node:path';
import type { InterfaceInfo } from '../../shared/model.js';
import { compareNames } from '../../shared/series.js';
import { classifyByName, classifyLinuxInterface, readSysNumber } from './network.js';
import type { HostSource, LoadSystemInformation, OsApi } from './types.js';

/** PRETTY_NAME of os-release, else NAME VERSION; null when neither is there. */
export function parseOsRelease(text: string): string | null {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    values.set(line.slice(0, eq), unquoteShell(line.slice(eq + 1)));
  }
  const pretty = values.get('PRETTY_NAME');
  if (pretty) return pretty;
  const name = values.get('NAME');
  if (!name) return null;
  const version = values.get('VERSION');
  return version ? `${name} ${version}` : name;
}

/** os-release values follow shell quoting: "…" with backslash escapes, '…' literal, or bare. */
function unquoteShell(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

export interface CpuInfo {
  model: string | null;
  /** Processors listed (online logical CPUs). */
  threads: number;
  /** Distinct (physical id, core id) pairs; null when the file does not say (most ARM kernels). */
  cores: number | null;
}

/** Parses /proc/cpuinfo (x86 and ARM layouts). */
export function parseCpuinfo(text: string): CpuInfo {
  let model: string | null = null;
  let threads = 0;
  const coreIds = new Set<string>();
  let physicalId = '0';
  let coreId: string | null = null;
  const endProcessor = (): void => {
    if (coreId !== null) coreIds.add(`${physicalId}:${coreId}`);
    physicalId = '0';
    coreId = null;
  };
  // Later keys only fill in when earlier ones are missing: x86 "model name", ARM "Model"/"Hardware".
  const modelKeys = ['model name', 'Model', 'Hardware', 'cpu model', 'Processor'];
  let modelRank = modelKeys.length;
  for (const raw of text.split('\n')) {
    const colon = raw.indexOf(':');
    if (colon < 0) continue;
    const key = raw.slice(0, colon).trim();
    const value = raw.slice(colon + 1).trim();
    if (key === 'processor') {
      endProcessor();
      threads++;
    } else if (key === 'physical id') {
      physicalId = value;
    } else if (key === 'core id') {
      coreId = value;
    } else {
      const rank = modelKeys.indexOf(key);
      if (rank >= 0 && rank < modelRank && value) {
        model = value;
        modelRank = rank;
      }
    }
  }
  endProcessor();
  return { model, threads, cores: coreIds.size > 0 ? coreIds.size : null };
}

/** Boot time (unix ms) from the btime line of /proc/stat. */
export function parseBootTime(procStat: string): number | null {
  const match = /^btime\s+(\d+)\s*$/m.exec(procStat);
  return match ? Number(match[1]) * 1000 : null;
}

type OsInterfaces = ReturnType<OsApi['networkInterfaces']>;

function addressesOf(osInterfaces: OsInterfaces, name: string): { ipv4: string[]; ipv6: string[]; mac: string | null; internal: boolean } {
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  let mac: string | null = null;
  let internal = false;
  for (const a of osInterfaces[name] ?? []) {
    if (a.family === 'IPv4') ipv4.push(a.address);
    else ipv6.push(a.address);
    if (!mac && a.mac) mac = a.mac;
    internal ||= a.internal;
  }
  return { ipv4: ipv4.sort(compareNames), ipv6: ipv6.sort(compareNames), mac, internal };
}

function userName(osApi: Pick<OsApi, 'userInfo'>): string {
  try {
    return osApi.userInfo().username;
  } catch {
    // No passwd entry for our uid (containers with arbitrary uids).
    return process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME ?? 'unknown';
  }
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Fingerprint of what the OS lists cheaply: hostname and every interface with its addresses. */
function osFingerprint(osApi: Pick<OsApi, 'hostname' | 'networkInterfaces'>): string[] {
  const parts = [osApi.hostname()];
  const interfaces = osApi.networkInterfaces();
  for (const name of Object.keys(interfaces).sort(compareNames)) {
    const addrs = (interfaces[name] ?? []).map((a) => `${a.address}/${a.mac}`).sort(compareNames);
    parts.push(`${name}=${addrs.join(',')}`);
  }
  return parts;
}

export interface LinuxHostOptions {
  root?: string;
  os: OsApi;
}

export function createLinuxHostSource(options: LinuxHostOptions): HostSource {
  const root = options.root ?? '/';
  const osApi = options.os;
  const netDir = path.join(root, 'sys/class/net');

  const sysInterfaces = (): string[] => listDir(netDir).filter((n) => !n.startsWith('.'));

  return {
    fingerprint() {
      // /sys names too: an interface without an address is invisible to os.networkInterfaces().
      const parts = osFingerprint(osApi);
      for (const name of sysInterfaces().sort(compareNames)) {
        parts.push(`sys:${name}:${readSysNumber(path.join(netDir, name, 'mtu'), 10)}:${readText(path.join(netDir, name, 'address'))?.trim()}`);
      }
      return parts.join('\n');
    },
    async snapshot() {
      const stat = readText(path.join(root, 'proc/stat'));
      const cpuinfo = parseCpuinfo(readText(path.join(root, 'proc/cpuinfo')) ?? '');
      const osName =
        parseOsRelease(readText(path.join(root, 'etc/os-release')) ?? readText(path.join(root, 'usr/lib/os-release')) ?? '') ?? 'Linux';
      const kernel = readText(path.join(root, 'proc/sys/kernel/osrelease'))?.trim() || osApi.release();
      // os.cpus() only as a fallback: it reads /proc/cpuinfo again.
      const cpus = cpuinfo.threads > 0 && cpuinfo.model ? null : osApi.cpus();
      const bootTime = (stat ? parseBootTime(stat) : null) ?? Math.round(Date.now() / 1000 - osApi.uptime()) * 1000;

      const osInterfaces = osApi.networkInterfaces();
      const names = new Set([...sysInterfaces(), ...Object.keys(osInterfaces)]);
      const interfaces: InterfaceInfo[] = [...names].sort(compareNames).map((name) => {
        const { ipv4, ipv6, mac: osMac, internal } = addressesOf(osInterfaces, name);
        const dir = path.join(netDir, name);
        const sysMac = readText(path.join(dir, 'address'))?.trim();
        const cls = classifyLinuxInterface(root, name);
        return {
          name,
          mtu: readSysNumber(path.join(dir, 'mtu'), 10),
          mac: sysMac || osMac,
          ipv4,
          ipv6,
          loopback: cls.loopback || internal,
          virtual: cls.virtual && !internal,
        };
      });

      return {
        hostname: osApi.hostname(),
        user: userName(osApi),
        platform: 'linux',
        os: osName,
        kernel,
        arch: osApi.arch(),
        bootTime,
        cpu: {
          model: cpuinfo.model ?? cpus?.[0]?.model.trim() ?? 'unknown',
          cores: cpuinfo.cores ?? physicalCoresFromSys(root),
          threads: cpuinfo.threads > 0 ? cpuinfo.threads : (cpus?.length ?? 0),
          maxFrequencyMhz: maxFrequencyFromSys(root),
        },
        interfaces,
      };
    },
  };
}

function cpuDirs(root: string): string[] {
  const dir = path.join(root, 'sys/devices/system/cpu');
  return listDir(dir)
    .filter((n) => /^cpu\d+$/.test(n))
    .map((n) => path.join(dir, n));
}

/** Distinct (package, core) pairs from sysfs topology, for kernels whose cpuinfo has no core id. */
function physicalCoresFromSys(root: string): number | null {
  const ids = new Set<string>();
  for (const dir of cpuDirs(root)) {
    const pkg = readSysNumber(path.join(dir, 'topology/physical_package_id'), 10);
    const core = readSysNumber(path.join(dir, 'topology/core_id'), 10);
    if (pkg !== null && core !== null) ids.add(`${pkg}:${core}`);
  }
  return ids.size > 0 ? ids.size : null;
}

/** Highest cpuinfo_max_freq (kHz) over all CPUs, in MHz; null without cpufreq (most VMs). */
function maxFrequencyFromSys(root: string): number | null {
  let max = 0;
  for (const dir of cpuDirs(root)) {
    const khz = readSysNumber(path.join(dir, 'cpufreq/cpuinfo_max_freq'), 10);
    if (khz !== null && khz > max) max = khz;
  }
  return max > 0 ? Math.round(max / 1000) : null;
}

export interface PortableHostOptions {
  os: OsApi;
  loadSi: LoadSystemInformation;
  platform: NodeJS.Platform;
  now?: () => number;
}

export function createPortableHostSource(options: PortableHostOptions): HostSource {
  const osApi = options.os;
  const now = options.now ?? Date.now;
  let bootTime: number | null = null;

  return {
    fingerprint: () => osFingerprint(osApi).join('\n'),
    async snapshot() {
      const si = await options.loadSi();
      const [osInfo, cpu, siInterfaces] = await Promise.all([si.osInfo(), si.cpu(), si.networkInterfaces(false)]);

      // now − uptime moves by a second here and there; keep the first value unless it really
      // changed (the wall clock was set), so an unchanged machine gives equal snapshots.
      const computed = Math.round(now() / 1000 - osApi.uptime()) * 1000;
      if (bootTime === null || Math.abs(computed - bootTime) > 2000) bootTime = computed;

      const osInterfaces = osApi.networkInterfaces();
      const siByName = new Map(siInterfaces.map((i) => [i.iface, i]));
      const names = new Set([...Object.keys(osInterfaces), ...siByName.keys()]);
      const interfaces: InterfaceInfo[] = [...names].sort(compareNames).map((name) => {
        const { ipv4, ipv6, mac: osMac, internal } = addressesOf(osInterfaces, name);
        const info = siByName.get(name);
        const flags = classifyByName(name, internal || (info?.internal ?? false));
        return {
          name,
          mtu: typeof info?.mtu === 'number' && info.mtu > 0 ? info.mtu : null,
          mac: osMac || info?.mac || null,
          ipv4,
          ipv6,
          ...flags,
        };
      });

      const codename = osInfo.codename && !osInfo.release.includes(osInfo.codename) ? ` (${osInfo.codename})` : '';
      const cpus = osApi.cpus();
      return {
        hostname: osApi.hostname(),
        user: userName(osApi),
        platform: options.platform,
        os: `${osInfo.distro} ${osInfo.release}`.trim() + codename,
        kernel: osApi.release(),
        arch: osApi.arch(),
        bootTime,
        cpu: {
          // Node's model string is the raw one (/proc/cpuinfo, sysctl, registry); systeminformation
          // splits it into manufacturer and brand.
          model: cpus[0]?.model.trim() || `${cpu.manufacturer} ${cpu.brand}`.trim() || 'unknown',
          cores: cpu.physicalCores > 0 ? cpu.physicalCores : null,
          threads: cpus.length || cpu.cores,
          maxFrequencyMhz: cpu.speedMax > 0 ? Math.round(cpu.speedMax * 1000) : null,
        },
        interfaces,
      };
    },
  };
}

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux', freebsd: 'FreeBSD' };

/**
 * The host from Node's os module alone: no systeminformation, no process spawned. Less detail
 * (the OS by kernel release, no physical core count, frequency or MTU) for commands that do not
 * keep the snapshot (`vigil sample`), so they never load systeminformation.
 */
export function createOsHostSource(options: { os: OsApi; platform: NodeJS.Platform; now?: () => number }): HostSource {
  const osApi = options.os;
  const now = options.now ?? Date.now;
  return {
    fingerprint: () => osFingerprint(osApi).join('\n'),
    async snapshot() {
      const osInterfaces = osApi.networkInterfaces();
      const interfaces: InterfaceInfo[] = Object.keys(osInterfaces)
        .sort(compareNames)
        .map((name) => {
          const { ipv4, ipv6, mac, internal } = addressesOf(osInterfaces, name);
          return { name, mtu: null, mac, ipv4, ipv6, ...classifyByName(name, internal) };
        });
      const cpus = osApi.cpus();
      return {
        hostname: osApi.hostname(),
        user: userName(osApi),
        platform: options.platform,
        os: `${OS_NAMES[options.platform] ?? options.platform} ${osApi.release()}`,
        kernel: osApi.release(),
        arch: osApi.arch(),
        bootTime: Math.round(now() / 1000 - osApi.uptime()) * 1000,
        cpu: { model: cpus[0]?.model.trim() || 'unknown', cores: null, threads: cpus.length, maxFrequencyMhz: null },
        interfaces,
      };
    },
  };
}

/** Deep equality of plain data (JSON-like values); object key order is ignored, array order is not. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
}
