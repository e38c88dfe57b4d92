import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPresetParams, writeFileAtomically } from '../../src/main/export.js';
import { VigilError } from '../../src/shared/errors.js';
import { tempDir } from '../helpers/tmp.js';

describe('tray export presets', () => {
  it('today, yesterday and the last 7 days (today included) in local days', () => {
    const now = new Date(2026, 0, 3, 0, 30).getTime();
    expect(exportPresetParams('today', now)).toEqual({ date: '03-01-2026' });
    expect(exportPresetParams('yesterday', now)).toEqual({ date: '02-01-2026' });
    expect(exportPresetParams('last-7-days', now)).toEqual({ from: '28-12-2025', to: '03-01-2026' });
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
});
