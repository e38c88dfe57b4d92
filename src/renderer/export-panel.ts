// "Export CSV" (loaded the first time the menu opens): the shown day, or a range of days, through the client's exportCsv (a download in
// a browser, a save dialog in the app), with a progress bar and a Cancel button for long ranges. The time column is ISO 8601,
// local time (which LibreOffice and Excel read as a date) or Unix seconds, as `vigil export --time-format`; the choice is remembered.
import type { ExportParams, VigilClient } from '../shared/api.js';
import { compareDays, formatDay, parseDay, type LocalDay } from '../shared/dates.js';
import { VigilError } from '../shared/errors.js';
import { byId, formatCount } from './dom.js';
import { EXPORT_TIME_FORMATS, loadExportTimeFormat, saveExportTimeFormat, type ExportTimeFormat } from './preferences.js';

export interface ExportPanelOptions {
  client: () => VigilClient;
  shownDay: () => LocalDay;
  today: () => LocalDay;
  /** Runs a call, asking for the access token if the server wants one. */
  authorized<T>(run: () => Promise<T>): Promise<T>;
}

export class ExportPanel {
  private readonly progress = byId<HTMLProgressElement>('export-progress');
  private readonly status = byId('export-status');
  private readonly cancel = byId<HTMLButtonElement>('export-cancel');
  private readonly buttons = [byId<HTMLButtonElement>('export-day'), byId<HTMLButtonElement>('export-range')];
  private readonly fromInput = byId<HTMLInputElement>('export-from');
  private readonly toInput = byId<HTMLInputElement>('export-to');
  private readonly timeFormat = byId<HTMLSelectElement>('export-time-format');
  private running: AbortController | null = null;

  constructor(private readonly options: ExportPanelOptions) {
    byId('export-day').addEventListener('click', () => void this.run({ date: formatDay(options.shownDay()) }));
    byId('export-range').addEventListener('click', () => void this.exportRange());
    this.cancel.addEventListener('click', () => this.running?.abort());
    for (const input of [this.fromInput, this.toInput]) {
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') void this.exportRange();
      });
    }
    byId<HTMLDetailsElement>('export').addEventListener('toggle', () => this.fillDefaults());
    this.timeFormat.value = loadExportTimeFormat();
    this.timeFormat.addEventListener('change', () => saveExportTimeFormat(this.chosenTimeFormat()));
  }

  private chosenTimeFormat(): ExportTimeFormat {
    return EXPORT_TIME_FORMATS.find((format) => format === this.timeFormat.value) ?? 'iso';
  }

  /** The range fields start on the shown day. */
  fillDefaults(): void {
    const day = formatDay(this.options.shownDay());
    if (!this.fromInput.value) this.fromInput.value = day;
    if (!this.toInput.value) this.toInput.value = day;
  }

  private async exportRange(): Promise<void> {
    let from: LocalDay;
    let to: LocalDay;
    try {
      from = this.checkDay(this.fromInput, 'From');
      to = this.checkDay(this.toInput, 'To');
    } catch (error) {
      this.say((error as Error).message, true);
      return;
    }
    if (compareDays(from, to) > 0) {
      this.fromInput.setAttribute('aria-invalid', 'true');
      this.say(`From ${formatDay(from)} is after To ${formatDay(to)}`, true);
      return;
    }
    await this.run(compareDays(from, to) === 0 ? { date: formatDay(from) } : { from: formatDay(from), to: formatDay(to) });
  }

  private checkDay(input: HTMLInputElement, name: string): LocalDay {
    input.removeAttribute('aria-invalid');
    try {
      const day = parseDay(input.value.trim());
      if (compareDays(day, this.options.today()) > 0) throw new VigilError('future_date', `${formatDay(day)} is in the future`);
      return day;
    } catch (error) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async run(days: ExportParams): Promise<void> {
    if (this.running) return;
    const params: ExportParams = { ...days, timeFormat: this.chosenTimeFormat() };
    const abort = new AbortController();
    this.running = abort;
    this.setBusy(true);
    this.say('Preparing the export…', false);
    document.body.dataset.export = 'running';
    let lastPaint = 0;
    try {
      const result = await this.options.authorized(() =>
        this.options.client().exportCsv(params, {
          signal: abort.signal,
          onProgress: (done, total) => {
            const now = performance.now();
            if (now - lastPaint < 80 && done < total) return;
            lastPaint = now;
            this.progress.max = Math.max(1, total);
            this.progress.value = done;
            this.say(`Exporting: ${formatCount(done)} of ${formatCount(total)} rows`, false);
          },
        }),
      );
      document.body.dataset.export = 'done';
      this.say(result.fileName === null ? 'Export cancelled.' : `Exported ${formatCount(result.rows)} rows as ${result.fileName}.`, false);
    } catch (error) {
      document.body.dataset.export = 'failed';
      if ((error as { name?: string }).name === 'AbortError') this.say('Export cancelled.', false);
      else this.say(`Export failed: ${(error as Error).message}`, true);
    } finally {
      this.running = null;
      this.setBusy(false);
    }
  }

  private setBusy(busy: boolean): void {
    for (const button of this.buttons) button.disabled = busy;
    this.progress.hidden = !busy;
    this.cancel.hidden = !busy;
    if (busy) {
      this.progress.value = 0;
      this.progress.removeAttribute('value');
    }
  }

  private say(text: string, isError: boolean): void {
    this.status.textContent = text;
    this.status.classList.toggle('error', isError);
  }
}
