// Disk usage on Windows: each fixed drive (GetLogicalDriveStringsW, GetDriveTypeW = DRIVE_FIXED),
// its file system name (GetVolumeInformationW), and its size and free space through Node's
// fs.statfs (GetDiskFreeSpaceW underneath, on libuv's thread pool, with the same timeout as on
// Linux). Runs on the disk interval, never on the tick; no process spawned.
//
// Drives are named as systeminformation names them ("C:" for both device and mount point), so a
// machine's disk series keep their names whichever reader set recorded them. Removable, network,
// optical and RAM drives are left out (DRIVE_REMOVABLE, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK),
// and so are volumes mounted in a folder rather than on a letter.
import type { DiskUsage } from '../../shared/model.js';
import { compareNames } from '../../shared/series.js';
import { loadLibrary, type Koffi } from './koffi.js';
import { createStatfsMeasure, type StatfsMeasureOptions } from './disk.js';
import { readWideString } from './struct.js';
import type { DiskReader } from './types.js';

export const DRIVE_FIXED = 3;

/** GetLogicalDriveStringsW's output: "C:\\\0D:\\\0\0" → ['C:\\', 'D:\\']. */
export function parseDriveStrings(buffer: Buffer, chars: number): string[] {
  return buffer
    .toString('utf16le', 0, chars * 2)
    .split('\0')
    .filter((root) => root.length > 0);
}

export interface WindowsDiskApi {
  /** Root paths of the drives ("C:\\"). */
  logicalDrives(): string[];
  driveType(root: string): number;
  /** File system name ("NTFS"), or null when the volume does not answer. */
  fileSystemName(root: string): string | null;
}

export function createWindowsDiskReader(api: WindowsDiskApi, options: StatfsMeasureOptions = {}): DiskReader {
  const measure = createStatfsMeasure(options);
  return {
    async read() {
      const fixed = api.logicalDrives().filter((root) => api.driveType(root) === DRIVE_FIXED);
      const usages = await Promise.all(
        fixed.map((root) => {
          const letter = root.replace(/\\$/, '');
          return measure({ device: letter, mountPoint: letter, fsType: api.fileSystemName(root) ?? 'unknown' }, root);
        }),
      );
      return usages.filter((u): u is DiskUsage => u !== null).sort((a, b) => compareNames(a.mountPoint, b.mountPoint));
    },
  };
}

export function bindWindowsDisk(koffi: Koffi): WindowsDiskApi {
  const kernel32 = loadLibrary(koffi, 'kernel32.dll');
  const getLogicalDriveStrings = kernel32.func('uint32_t __stdcall GetLogicalDriveStringsW(uint32_t length, void *buffer)');
  const getDriveType = kernel32.func('uint32_t __stdcall GetDriveTypeW(const char16_t *root)');
  const getVolumeInformation = kernel32.func(
    'int __stdcall GetVolumeInformationW(const char16_t *root, void *name, uint32_t nameLength, void *serial, void *maxComponent, void *flags, void *fsName, uint32_t fsNameLength)',
  );
  // MAX_PATH + 1 WCHARs for the file system name, as documented.
  const fsName = Buffer.alloc(261 * 2);
  return {
    logicalDrives() {
      // 26 letters × "X:\\\0" + the final NUL fit in 105 characters.
      const buffer = Buffer.alloc(256 * 2);
      const chars = getLogicalDriveStrings(256, buffer) as number;
      return parseDriveStrings(buffer, Math.min(chars, 256));
    },
    driveType: (root) => getDriveType(root) as number,
    fileSystemName(root) {
      fsName.fill(0);
      const ok = (getVolumeInformation(root, null, 0, null, null, null, fsName, 261) as number) !== 0;
      return ok ? readWideString(fsName, 0, 261) || null : null;
    },
  };
}
