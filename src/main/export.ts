// CSV export from the app: the tray's Export CSV… entries and the chart window's export button
// both end here. The rows come from the core's ChartService (planExport + exportCsv: the code
// path of `vigil export` and of the agent's /api/export.csv); the app adds a save dialog and
// writes FILE.partial, renamed at the end, so a failed export never leaves a half file.
import path from 'node:path';
import type { ExportParams, ExportResult } from '../shared/api.js';
import { addDays, dayOf, formatDay } from '../shared/dates.js';
import { VigilError } from '../shared/errors.js';
import { writeFileAtomically } from '../core/fs-util.js';
import type { ChartService, ExportPlan } from '../core/server/chart-service.js';
import type { DialogApi } from './electron-api.js';
import type { ExportChoice } from './tray/menu-model.js';
import type { ExportProgressState } from './tray/state.js';

/** The days a tray preset exports (the machine's local days, like everything else). */
export function exportPresetParams(choice: Exclude<ExportChoice, 'range'>, now: number): ExportParams {
  const today = dayOf(now);
  switch (choice) {
    case 'today':
      return { date: formatDay(today) };
    case 'yesterday':
      return { date: formatDay(addDays(today, -1)) };
    case 'last-7-days':
      return { from: formatDay(addDays(today, -6)), to: formatDay(today) };
  }
}


export interface ExporterOptions {
  dialog: Pick<DialogApi, 'showSaveDialog'>;
  chart: () => ChartService;
  /** Where the save dialog starts (the user's Downloads folder). */
  defaultDir: () => string;
  /** Told when an export starts, progresses and ends (null): the tray shows it. */
  onState: (state: ExportProgressState | null) => void;
}

export class Exporter {
  private current: ExportProgressState | null = null;
  private abort: AbortController | null = null;

  constructor(private readonly options: ExporterOptions) {}

  get running(): ExportProgressState | null {
    return this.current;
  }

  /** Stops the running export: its partial file is removed and run() resolves with fileName null. */
  cancel(): void {
    this.abort?.abort();
  }

  /**
   * Asks where to save, then writes the CSV. Resolves with fileName null when the user cancels
   * the dialog; rejects with a VigilError for bad days (before any dialog) or a failed write.
   */
  async run(params: ExportParams, onProgress?: (done: number, total: number) => void): Promise<ExportResult & { plan: ExportPlan }> {
    if (this.current) throw new VigilError('already_running', `An export is already running (${this.current.label})`);
    const chart = this.options.chart();
    const plan = chart.planExport(params);
    const choice = await this.options.dialog.showSaveDialog({
      title: `Export ${plan.label} as CSV`,
      defaultPath: path.join(this.options.defaultDir(), plan.fileName),
      filters: [{ name: 'CSV (comma-separated values)', extensions: ['csv'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (choice.canceled || !choice.filePath) return { rows: 0, fileName: null, plan };
    const file = path.extname(choice.filePath) ? choice.filePath : `${choice.filePath}.csv`;
    this.setState({ label: plan.label, done: 0, total: plan.rows });
    const abort = new AbortController();
    this.abort = abort;
    try {
      const { rows } = await writeFileAtomically(file, (output) =>
        chart.exportCsv(plan, output, {
          signal: abort.signal,
          timeFormat: params.timeFormat,
          onProgress: (done, total) => {
            this.setState({ label: plan.label, done, total });
            onProgress?.(done, total);
          },
        }),
      );
      return { rows, fileName: file, plan };
    } catch (error) {
      // Cancelled: nothing was written (writeFileAtomically removed the partial file).
      if (abort.signal.aborted) return { rows: 0, fileName: null, plan };
      throw error;
    } finally {
      this.abort = null;
      this.setState(null);
    }
  }

  private setState(state: ExportProgressState | null): void {
    this.current = state;
    this.options.onState(state);
  }
}
