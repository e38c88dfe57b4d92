import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/core/fs-util.js';
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
