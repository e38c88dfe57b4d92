import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { diskUsedPercent } from '../../../src/shared/disk-usage.js';
import {
  createLinuxDiskReader,
  createPortableDiskReader,
  diskUsageFromStatfs,
  parseMounts,
  selectRealMounts,
  type StatFsLike,
} from '../../../src/core/metrics/disk.js';
import type { SystemInformation } from '../../../src/core/metrics/types.js';
import { SERVER, VM, fixtureText } from './fixtures.js';

describe('parseMounts', () => {
  it('reads /proc/self/mounts and decodes octal escapes', () => {
    const mounts = parseMounts(fixtureText(SERVER, 'proc/self/mounts'));
    expect(mounts).toContainEqual({ device: '/dev/sdb1', mountPoint: '/mnt/My Disk', fsType: 'ext4' });
    expect(mounts).toHaveLength(18);
    expect(parseMounts('a /x\\011y\\134z\\012 ext4 rw 0 0\n\n')).toEqual([{ device: 'a', mountPoint: '/x\ty\\z\n', fsType: 'ext4' }]);
  });
});

describe('selectRealMounts', () => {
  it('keeps only the root disk on the recorded VM (pseudo, tmpfs and cgroup mounts are left out)', () => {
    expect(selectRealMounts(parseMounts(fixtureText(VM, 'proc/self/mounts')))).toEqual([{ device: '/dev/vda', mountPoint: '/', fsType: 'ext4' }]);
  });

  it('filters pseudo and memory filesystems, squashfs, layer mounts; dedupes bind mounts by device', () => {
    expect(selectRealMounts(parseMounts(fixtureText(SERVER, 'proc/self/mounts')))).toEqual([
      { device: '/dev/nvme0n1p2', mountPoint: '/', fsType: 'ext4' }, // not /srv/www (bind of the same device)
      { device: '/dev/nvme0n1p1', mountPoint: '/boot/efi', fsType: 'vfat' },
      { device: '/dev/sdc', mountPoint: '/data', fsType: 'btrfs' }, // not its subvolume /data/archive
      { device: 'tank/home', mountPoint: '/home', fsType: 'zfs' },
      { device: '/dev/sdb1', mountPoint: '/mnt/My Disk', fsType: 'ext4' },
      { device: 'nas:/export', mountPoint: '/mnt/nas', fsType: 'nfs4' },
    ]);
  });

  it('keeps an overlay root (inside a container it is the root disk)', () => {
    const mounts = parseMounts('overlay / overlay rw,lowerdir=/l 0 0\n/dev/sda1 /etc/hosts ext4 rw 0 0\nshm /dev/shm tmpfs rw 0 0\n');
    expect(selectRealMounts(mounts)).toEqual([
      { device: 'overlay', mountPoint: '/', fsType: 'overlay' },
      { device: '/dev/sda1', mountPoint: '/etc/hosts', fsType: 'ext4' },
    ]);
  });
});

describe('disk readers', () => {
  const st = (blocks: number, bfree: number, bsize = 4096, bavail = bfree): StatFsLike => ({ blocks, bfree, bavail, bsize });

  it('usage as df counts it: total = blocks × bsize, used = (blocks − bfree) × bsize, free and avail; no blocks → not a disk', () => {
    const mount = { device: '/dev/x', mountPoint: '/x', fsType: 'ext4' };
    expect(diskUsageFromStatfs(mount, st(1000, 250))).toEqual({ ...mount, total: 4_096_000, used: 3_072_000, free: 1_024_000, available: 1_024_000 });
    // A 5 % root reserve: free keeps it, avail does not; df's Use% is used / (used + avail).
    const reserved = diskUsageFromStatfs(mount, st(1000, 100, 4096, 50))!;
    expect(reserved).toEqual({ ...mount, total: 4_096_000, used: 3_686_400, free: 409_600, available: 204_800 });
    expect(diskUsedPercent(reserved)).toBeCloseTo((900 / 950) * 100, 10);
    // Full for users while the reserve is left: 100 %, as df says (used / size would say 95 %).
    expect(diskUsedPercent(diskUsageFromStatfs(mount, st(1000, 50, 4096, 0))!)).toBe(100);
    // A reading from before `available` was kept: used / size.
    expect(diskUsedPercent({ total: 1000, used: 250 })).toBe(25);
    expect(diskUsedPercent({ total: 0, used: 0 })).toBeNull();
    expect(diskUsageFromStatfs(mount, st(0, 0))).toBeNull();
  });

  it('Linux: statfs each selected mount under the root; a failing mount is skipped, the rest reported', async () => {
    const asked: string[] = [];
    const skipped: string[] = [];
    const reader = createLinuxDiskReader({
      root: SERVER,
      statfs: async (file) => {
        asked.push(path.relative(SERVER, file));
        if (file.endsWith('nas')) throw new Error('ESTALE: stale file handle');
        return st(1_000_000, 400_000);
      },
      onSkip: (mountPoint, reason) => skipped.push(`${mountPoint}: ${reason}`),
    });
    const disks = await reader.read();
    expect(asked.sort()).toEqual(['', 'boot/efi', 'data', 'home', 'mnt/My Disk', 'mnt/nas']);
    expect(disks.map((d) => d.mountPoint)).toEqual(['/', '/boot/efi', '/data', '/home', '/mnt/My Disk']);
    expect(disks[0]).toEqual({ device: '/dev/nvme0n1p2', mountPoint: '/', fsType: 'ext4', total: 4_096_000_000, used: 2_457_600_000, free: 1_638_400_000, available: 1_638_400_000 });
    expect(skipped).toEqual(['/mnt/nas: ESTALE: stale file handle']);
  });

  it('Linux: a hung statfs (dead NFS server) times out, and is not called again while still stuck', async () => {
    const skipped: string[] = [];
    let nasCalls = 0;
    let release: (v: StatFsLike) => void = () => {};
    let hung = true;
    const reader = createLinuxDiskReader({
      root: SERVER,
      timeoutMs: 20,
      statfs: (file) => {
        if (!file.endsWith('nas')) return Promise.resolve(st(100, 50));
        nasCalls++;
        if (!hung) return Promise.resolve(st(100, 10));
        return new Promise((resolve) => (release = resolve));
      },
      onSkip: (mountPoint, reason) => skipped.push(`${mountPoint}: ${reason}`),
    });
    expect((await reader.read()).map((d) => d.mountPoint)).not.toContain('/mnt/nas');
    expect((await reader.read()).map((d) => d.mountPoint)).not.toContain('/mnt/nas');
    expect(nasCalls).toBe(1);
    expect(skipped).toEqual(['/mnt/nas: statfs timed out after 20 ms', '/mnt/nas: previous statfs still pending']);
    hung = false;
    release(st(100, 10));
    await new Promise((r) => setImmediate(r));
    expect((await reader.read()).map((d) => d.mountPoint)).toContain('/mnt/nas');
    expect(nasCalls).toBe(2);
  });

  it('the real statfs works on this machine (root filesystem has a size)', async () => {
    const disks = await createLinuxDiskReader().read();
    const root = disks.find((d) => d.mountPoint === '/');
    expect(root?.total).toBeGreaterThan(0);
    expect(root!.used).toBeLessThanOrEqual(root!.total);
  });

  it('portable: systeminformation fsSize, sorted by mount point, empty ones left out', async () => {
    const si = {
      fsSize: async () => [
        { fs: 'D:', type: 'NTFS', size: 500, used: 100, mount: 'D:' },
        { fs: 'C:', type: 'NTFS', size: 1000, used: 600, available: 350, mount: 'C:' },
        { fs: 'E:', type: 'UDF', size: 0, used: 0, mount: 'E:' },
      ],
    } as unknown as SystemInformation;
    expect(await createPortableDiskReader(async () => si).read()).toEqual([
      // df's Avail when systeminformation has it; without it, none (never a guess).
      { device: 'C:', mountPoint: 'C:', fsType: 'NTFS', total: 1000, used: 600, free: 400, available: 350 },
      { device: 'D:', mountPoint: 'D:', fsType: 'NTFS', total: 500, used: 100, free: 400 },
    ]);
  });
});

describe.runIf(process.platform === 'linux' && hasDf())('disk usage as df sees it on this machine', () => {
  it('every mount Vigil reads has df’s Use% within 1 point, and df’s Used and Avail bytes', async () => {
    const disks = await createLinuxDiskReader().read();
    const [ours, df] = [disks, dfTable(disks.map((d) => d.mountPoint))];
    expect(ours.length).toBeGreaterThan(0);
    for (const disk of ours) {
      const line = df.get(disk.mountPoint);
      expect(line, `df has no line for ${disk.mountPoint}`).toBeDefined();
      const percent = diskUsedPercent(disk)!;
      // df prints Use% rounded up; its own bytes give the exact figure.
      expect(Math.abs(percent - line!.percent), `${disk.mountPoint}: Vigil ${percent} %, df ${line!.percent} %`).toBeLessThanOrEqual(1);
      expect(Math.abs(percent - (100 * line!.used) / (line!.used + line!.avail))).toBeLessThanOrEqual(1);
      // The same statfs, a moment apart: bytes agree but for what was written in between.
      const slack = Math.max(64 * 1024 * 1024, disk.total * 0.001);
      expect(Math.abs(disk.used - line!.used)).toBeLessThanOrEqual(slack);
      expect(Math.abs(disk.available! - line!.avail)).toBeLessThanOrEqual(slack);
    }
  });
});

function hasDf(): boolean {
  return spawnSync('df', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `df -B1 --output=target,used,avail,pcent` of some mount points: mount point → bytes and Use%. */
function dfTable(mountPoints: readonly string[]): Map<string, { used: number; avail: number; percent: number }> {
  const result = spawnSync('df', ['-B1', '--output=target,used,avail,pcent', ...mountPoints], { encoding: 'utf8' });
  const table = new Map<string, { used: number; avail: number; percent: number }>();
  for (const line of result.stdout.split('\n').slice(1)) {
    const match = /^(.*\S)\s+(\d+)\s+(\d+)\s+(\d+)%$/.exec(line.trim());
    if (match) table.set(match[1]!, { used: Number(match[2]), avail: Number(match[3]), percent: Number(match[4]) });
  }
  return table;
}
