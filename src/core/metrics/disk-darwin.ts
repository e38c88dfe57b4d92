// Disk usage on macOS: each mounted volume. The list comes from getfsstat(MNT_NOWAIT) (cached
// figures, never blocking on a dead network server), then each chosen volume is measured afresh
// with fs.statfs on libuv's thread pool, with the Linux reader's timeout: what `df` does
// (getmntinfo(MNT_NOWAIT), then statfs per volume). Disk interval only; no process spawned.
//
// Which volumes: local ones from a /dev device, and network shares (smbfs, nfs, afpfs, webdav);
// not devfs, autofs maps or the firmlinked system volumes macOS hides from the Finder
// (MNT_DONTBROWSE: Preboot, VM, Update, Hardware, …), except the data volume
// (/System/Volumes/Data, flagged MNT_EXT_ROOT_DATA_VOL), where the users' files live. A device
// mounted twice is listed once, at its shortest mount point.
import type { DiskUsage } from '../../shared/model.js';
import { compareNames } from '../../shared/series.js';
import { VigilError } from '../../shared/errors.js';
import type { MachApi } from './cpu-darwin.js';
import { createStatfsMeasure, type MountEntry, type StatfsMeasureOptions } from './disk.js';
import { readCString, readU64, requireBytes, type StructLayout } from './struct.js';
import type { DiskReader } from './types.js';

/** struct statfs with 64-bit inodes (sys/mount.h, __DARWIN_STRUCT_STATFS64): what getfsstat fills. */
export const STATFS64_LAYOUT = {
  size: 2168,
  f_bsize: 0,
  f_iosize: 4,
  f_blocks: 8,
  f_bfree: 16,
  f_bavail: 24,
  f_files: 32,
  f_ffree: 40,
  f_fsid: 48,
  f_owner: 56,
  f_type: 60,
  f_flags: 64,
  f_fssubtype: 68,
  f_fstypename: 72,
  f_mntonname: 88,
  f_mntfromname: 1112,
  f_flags_ext: 2136,
  f_reserved: 2140,
} as const satisfies StructLayout;

const MFSTYPENAMELEN = 16;
const MAXPATHLEN = 1024;
export const MNT_NOWAIT = 2;
export const MNT_DONTBROWSE = 0x00100000;
export const MNT_EXT_ROOT_DATA_VOL = 0x1;
const NETWORK_FS: ReadonlySet<string> = new Set(['smbfs', 'nfs', 'afpfs', 'webdav']);

export interface DarwinMount extends MountEntry {
  flags: number;
  flagsExt: number;
  bsize: number;
  blocks: number;
  bfree: number;
}

/** Parses `count` statfs entries from getfsstat. */
export function parseStatfsEntries(buffer: Buffer, count: number): DarwinMount[] {
  const L = STATFS64_LAYOUT;
  requireBytes(buffer, 0, count * L.size, `statfs × ${count}`);
  const mounts: DarwinMount[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * L.size;
    mounts.push({
      device: readCString(buffer, at + L.f_mntfromname, MAXPATHLEN),
      mountPoint: readCString(buffer, at + L.f_mntonname, MAXPATHLEN),
      fsType: readCString(buffer, at + L.f_fstypename, MFSTYPENAMELEN),
      flags: buffer.readUInt32LE(at + L.f_flags),
      flagsExt: buffer.readUInt32LE(at + L.f_flags_ext),
      bsize: buffer.readUInt32LE(at + L.f_bsize),
      blocks: readU64(buffer, at + L.f_blocks),
      bfree: readU64(buffer, at + L.f_bfree),
    });
  }
  return mounts;
}

/** The volumes worth a disk line (see the file comment), sorted by mount point. */
export function selectDarwinVolumes(mounts: readonly DarwinMount[]): DarwinMount[] {
  const byDevice = new Map<string, DarwinMount>();
  for (const m of mounts) {
    const local = m.device.startsWith('/dev/');
    if (!local && !NETWORK_FS.has(m.fsType)) continue;
    if (m.flags & MNT_DONTBROWSE && !(m.flagsExt & MNT_EXT_ROOT_DATA_VOL)) continue;
    const kept = byDevice.get(m.device);
    if (!kept || m.mountPoint.length < kept.mountPoint.length) byDevice.set(m.device, m);
  }
  return [...byDevice.values()].sort((a, b) => compareNames(a.mountPoint, b.mountPoint));
}

export interface DarwinDiskApi {
  /** getfsstat(MNT_NOWAIT): the entries copied into a Buffer, and how many. */
  mounts(): { buffer: Buffer; count: number };
}

export function createDarwinDiskReader(api: DarwinDiskApi, options: StatfsMeasureOptions = {}): DiskReader {
  const measure = createStatfsMeasure(options);
  return {
    async read() {
      const { buffer, count } = api.mounts();
      const volumes = selectDarwinVolumes(parseStatfsEntries(buffer, count));
      const usages = await Promise.all(volumes.map((v) => measure({ device: v.device, mountPoint: v.mountPoint, fsType: v.fsType }, v.mountPoint)));
      return usages.filter((u): u is DiskUsage => u !== null);
    },
  };
}

export function bindDarwinDisk(mach: MachApi, arch: string): DarwinDiskApi {
  // With 64-bit inodes the x86_64 symbol carries the $INODE64 suffix; arm64 has only that variant.
  const symbol = arch === 'x64' ? 'getfsstat$INODE64' : 'getfsstat';
  const getfsstat = mach.libSystem.func(symbol, 'int', ['void *', 'int', 'int']);
  let buffer = Buffer.alloc(32 * STATFS64_LAYOUT.size);
  return {
    mounts() {
      for (let attempt = 0; attempt < 4; attempt++) {
        const count = getfsstat(buffer, buffer.length, MNT_NOWAIT) as number;
        if (count < 0) throw new VigilError('io_error', 'getfsstat failed');
        // A full buffer may have cut the list short: grow and ask again.
        if ((count + 1) * STATFS64_LAYOUT.size <= buffer.length) return { buffer, count };
        buffer = Buffer.alloc(buffer.length * 2);
      }
      throw new VigilError('io_error', 'getfsstat: the mount list kept growing');
    },
  };
}
