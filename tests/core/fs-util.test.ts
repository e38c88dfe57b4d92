import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs, writeFileAtomically } from '../../src/core/fs-util.js';
import { VigilError } from '../../src/shared/errors.js';
import { tempDir } from '../helpers/tmp.js';

describe('makeDirs', () => {
  it('creates nested folders and accepts existing ones', () => {
    const dir = path.join(tempDir(), 'a', 'b', 'c');
    makeDirs(dir);
    makeDirs(dir);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
  });

  it('fails (instead of spinning like recursive mkdir) under /proc', () => {
    expect(() => makeDirs('/proc/vigil-not-here/x')).toThrow(/ENOENT/);
  });

  it('fails under a regular file', () => {
    expect(() => makeDirs('/etc/passwd/x/y')).toThrow(/ENOTDIR/);
  });
});

describe('writeFileAtomically', () => {
  it('writes FILE.partial and renames it at the end', async () => {
    const file = path.join(tempDir(), 'out.csv');
    let seenDuring: string[] = [];
    const result = await writeFileAtomically(file, async (output) => {
      await new Promise((resolve) => output.write('a,b\r\n', resolve));
      seenDuring = fs.readdirSync(path.dirname(file));
      return { rows: 0 };
    });
    expect(result).toEqual({ rows: 0 });
    expect(seenDuring).toEqual(['out.csv.partial']);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['out.csv']);
    expect(fs.readFileSync(file, 'utf8')).toBe('a,b\r\n');
  });

  it('a failed export leaves neither the file nor the partial one, and says why', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'out.csv');
    fs.writeFileSync(file, 'the old export');
    await expect(
      writeFileAtomically(file, async (output) => {
        output.write('half');
        throw new VigilError('io_error', 'disk full');
      }),
    ).rejects.toMatchObject({ code: 'io_error', message: 'disk full' });
    expect(fs.readdirSync(dir)).toEqual(['out.csv']);
    expect(fs.readFileSync(file, 'utf8')).toBe('the old export');
    await expect(writeFileAtomically(path.join(dir, 'missing-folder', 'x.csv'), async () => ({ rows: 0 }))).rejects.toMatchObject({ code: 'io_error' });
  });

  it('an unwritable place fails before anything is written, with the open error (sysfs: EACCES even for root)', async () => {
    let called = false;
    const write = async () => {
      called = true;
    };
    await expect(writeFileAtomically('/sys/vigil-fs-util-test.png', write, 'Writing the chart')).rejects.toThrow('Writing the chart to /sys/vigil-fs-util-test.png failed (EACCES); nothing was written');
    expect(called).toBe(false);
  });
});
