import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Exporter, exportPresetParams } from '../../src/main/export.js';
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
    // Waits for the first row's progress (not a fixed time: the machine may be busy).
    while (exporter.running?.done !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(exporter.running).toEqual({ label: '22-11-2026', done: 1, total: 3 });
    await expect(exporter.run({ date: '22-11-2026' })).rejects.toMatchObject({ code: 'already_running' });
    exporter.cancel();
    await expect(running).resolves.toMatchObject({ rows: 0, fileName: null });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(exporter.running).toBeNull();
    expect(states).toEqual(['0/3', '1/3', null]);
  });

  it('passes the requested time format (ExportParams.timeFormat) on to the CSV export', async () => {
    const dir = tempDir();
    const seen: unknown[] = [];
    const chart = {
      planExport: () => plan,
      exportCsv: async (_plan: unknown, output: NodeJS.WritableStream, options: { timeFormat?: string }) => {
        seen.push(options.timeFormat);
        output.write('time,unix_ms\r\n');
        return { rows: 0 };
      },
    };
    const exporter = new Exporter({
      dialog: { showSaveDialog: async () => ({ canceled: false, filePath: path.join(dir, 'out.csv') }) },
      chart: () => chart as never,
      defaultDir: () => dir,
      onState: () => {},
    });
    await exporter.run({ date: '22-11-2026', timeFormat: 'local' });
    await exporter.run({ date: '22-11-2026' });
    expect(seen).toEqual(['local', undefined]);
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe('time,unix_ms\r\n');
  });
});
