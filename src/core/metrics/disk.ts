// Disk usage per mounted filesystem (device, mount point, fs type; size, used, free and available
// bytes, as df counts them: see shared/disk-usage.ts for the percentage).
// Sampled on its own slow cadence (default every minute), never on the tick path.
//
// Linux: /proc/self/mounts filtered to real filesystems + statfs (no process spawn).
// Elsewhere: systeminformation's fsSize() (spawns df / powershell, fine once a minute).
//
// Which mounts count on Linux (the same choice df -x tmpfs and systeminformation make):
// - skipped: kernel pseudo filesystems (proc, sysfs, cgroup, devpts, debugfs, …), memory-backed
//   ones (tmpfs, devtmpfs, ramfs: their usage is memory, already counted there), squashfs (snap
//   and live images: read-only, always 100 % full) and fuse helpers (lxcfs, gvfsd, portal);
// - overlay/aufs only when mounted at '/': inside a container that is the root disk; elsewhere it
//   is one layer per running container, all on the same disk as /var/lib/docker;
// - bind mounts (the same device mounted again: Docker's /etc/hosts, systemd's private dirs) are
//   deduplicated by device, keeping the shortest mount point;
// - a filesystem that reports 0 blocks is pseudo whatever its type says.
//
// statfs is the asynchronous one, with a timeout, not statfsSync: a hung NFS or CIFS server makes
// statfs block forever, and a synchronous call would freeze the whole agent. A mount whose previous
// statfs has not returned yet is skipped (at most one stuck call per mount).
import fs from 'node:fs';
import path from 'node:path';
import type { DiskUsage } from '../../shared/model.js';
import { compareNames } from '../../shared/series.js';
import type { DiskReader, LoadSystemInformation } from './types.js';

export interface MountEntry {
  device: string;
  mountPoint: string;
  fsType: string;
}

/** /proc/self/mounts: "device mountpoint fstype options 0 0", with \040-style octal escapes. */
export function parseMounts(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mountPoint, fsType] = line.trim().split(/\s+/);
    if (!device || !mountPoint || !fsType) continue;
    mounts.push({ device: unescapeMountField(device), mountPoint: unescapeMountField(mountPoint), fsType });
  }
  return mounts;
}

function unescapeMountField(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export const PSEUDO_FS_TYPES: ReadonlySet<string> = new Set([
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devfs', 'devpts', 'devtmpfs', 'efivarfs',
  'fusectl', 'hugetlbfs', 'mqueue', 'nfsd', 'nsfs', 'proc', 'pstore', 'ramfs', 'rpc_pipefs', 'securityfs', 'selinuxfs',
  'sysfs', 'tmpfs', 'tracefs', 'squashfs', 'cramfs', 'rootfs', 'none',
  'fuse.lxcfs', 'fuse.gvfsd-fuse', 'fuse.portal', 'fuse.snapfuse', 'fuse.xdg-document-portal',
]);

const LAYERED_FS_TYPES: ReadonlySet<string> = new Set(['overlay', 'aufs', 'unionfs']);

/** The mounts worth a disk-usage line, deduplicated, sorted by mount point. See the file comment. */
export function selectRealMounts(mounts: readonly MountEntry[]): MountEntry[] {
  const byDevice = new Map<string, MountEntry>();
  for (const m of mounts) {
    if (PSEUDO_FS_TYPES.has(m.fsType)) continue;
    if (LAYERED_FS_TYPES.has(m.fsType) && m.mountPoint !== '/') continue;
    const kept = byDevice.get(m.device);
    if (!kept || isShorter(m.mountPoint, kept.mountPoint)) byDevice.set(m.device, m);
  }
  return [...byDevice.values()].sort((a, b) => compareNames(a.mountPoint, b.mountPoint));
}

function isShorter(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
}

/** What we need of fs.StatFs. */
export interface StatFsLike {
  bsize: number;
  blocks: number;
  bfree: number;
  /** Free blocks an unprivileged user may use (bfree minus the root reserve). */
  bavail: number;
}

export type StatFs = (file: string) => Promise<StatFsLike>;

export const STATFS_TIMEOUT_MS = 5000;

export function diskUsageFromStatfs(mount: MountEntry, st: StatFsLike): DiskUsage | null {
  if (!(st.blocks > 0) || !(st.bsize > 0)) return null;
  // As df counts them: used = blocks not free; avail = what users may still take (the root
  // reserve is in free but in neither used nor avail), so Use% = used / (used + avail).
  return {
    device: mount.device,
    mountPoint: mount.mountPoint,
    fsType: mount.fsType,
    total: st.blocks * st.bsize,
    used: (st.blocks - st.bfree) * st.bsize,
    free: st.bfree * st.bsize,
    available: Math.min(st.bavail, st.bfree) * st.bsize,
  };
}

export interface StatfsMeasureOptions {
  statfs?: StatFs;
  timeoutMs?: number;
  /** Told about a mount left out this round (statfs failed, timed out or still stuck). */
  onSkip?: (mountPoint: string, reason: string) => void;
}

/**
 * statfs of one mount at a time with a timeout, at most one call in flight per mount (see the file
 * comment); shared by the Linux, Windows and macOS readers. null when it is skipped or reports 0 blocks.
 */
export function createStatfsMeasure(options: StatfsMeasureOptions = {}): (mount: MountEntry, file: string) => Promise<DiskUsage | null> {
  const statfs: StatFs = options.statfs ?? ((file) => fs.promises.statfs(file));
  const timeoutMs = options.timeoutMs ?? STATFS_TIMEOUT_MS;
  const stuck = new Set<string>();

  return async (mount, file) => {
    if (stuck.has(mount.mountPoint)) {
      options.onSkip?.(mount.mountPoint, 'previous statfs still pending');
      return null;
    }
    stuck.add(mount.mountPoint);
    const call = statfs(file).finally(() => stuck.delete(mount.mountPoint));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
      timer.unref();
    });
    try {
      const st = await Promise.race([call, timeout]);
      if (st === null) {
        options.onSkip?.(mount.mountPoint, `statfs timed out after ${timeoutMs} ms`);
        call.catch(() => {});
        return null;
      }
      return diskUsageFromStatfs(mount, st);
    } catch (error) {
      options.onSkip?.(mount.mountPoint, error instanceof Error ? error.message : String(error));
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
}

export interface LinuxDiskReaderOptions extends StatfsMeasureOptions {
  root?: string;
}

export function createLinuxDiskReader(options: LinuxDiskReaderOptions = {}): DiskReader {
  const root = options.root ?? '/';
  const file = path.join(root, 'proc/self/mounts');
  const measure = createStatfsMeasure(options);
  return {
    async read() {
      const mounts = selectRealMounts(parseMounts(fs.readFileSync(file, 'latin1')));
      const usages = await Promise.all(mounts.map((mount) => measure(mount, path.join(root, mount.mountPoint))));
      return usages.filter((u): u is DiskUsage => u !== null);
    },
  };
}

export function createPortableDiskReader(loadSi: LoadSystemInformation): DiskReader {
  return {
    async read() {
      const si = await loadSi();
      const sizes = await si.fsSize();
      return sizes
        .filter((s) => s.size > 0 && s.mount)
        // systeminformation runs df (or PowerShell): size − used is free, `available` df's Avail.
        .map((s) => {
          const disk: DiskUsage = { device: s.fs, mountPoint: s.mount, fsType: s.type, total: s.size, used: s.used, free: Math.max(0, s.size - s.used) };
          if (Number.isFinite(s.available) && s.available >= 0) disk.available = s.available;
          return disk;
        })
        .sort((a, b) => compareNames(a.mountPoint, b.mountPoint));
    },
  };
}
