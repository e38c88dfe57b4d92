import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Exporter, exportPresetParams, writeFileAtomically } from '../../src/main/export.js';
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

describe('Exporter', () => {
  const plan = { from: 0, to: 1, label: '22-11-2026', fileName: 'box-22-11-2026.csv', rows: 3 };

  it('cancel stops the running export: no file, resolved as cancelled, ready for the next one', async () => {
    const dir = tempDir();
    const states: (string | null)[] = [];
    const chart = {
      planExport: () => plan,
      // Writes a row, then waits until aborted (a long export).
      exportCsv: (_plan: unknown, output: NodeJS.WritableStream, options: { signal?: AbortSignal; onProgress?: (d: number, t: number) => void }) =>
        new Promise<{ rows: number }>((resolve, reject) => {
          output.write('time,unix_ms\r\n');
          options.onProgress?.(1, 3);
          options.signal?.addEventListener('abort', () => reject(options.signal!.reason));
        }),
    };
    const exporter = new Exporter({
      dialog: { showSaveDialog: async () => ({ canceled: false, filePath: path.join(dir, 'out.csv') }) },
      chart: () => chart as never,
      defaultDir: () => dir,
      onState: (state) => states.push(state ? `${state.done}/${state.total}` : null),
    });
    const running = exporter.run({ date: '22-11-2026' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exporter.running).toEqual({ label: '22-11-2026', done: 1, total: 3 });
    await expect(exporter.run({ date: '22-11-2026' })).rejects.toMatchObject({ code: 'already_running' });
    exporter.cancel();
    await expect(running).resolves.toMatchObject({ rows: 0, fileName: null });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(exporter.running).toBeNull();
    expect(states).toEqual(['0/3', '1/3', null]);
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
