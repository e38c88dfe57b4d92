// The small "export these days" window (tray → Export CSV → Choose days…): two DD-MM-YYYY days,
// then the main process asks where to save and writes the CSV (the same code as `vigil export`),
// reporting progress. The time column as on the chart page's export (the same remembered choice).
import { addDays, compareDays, formatDay, parseDay } from '../../shared/dates.js';
import { EXPORT_TIME_FORMATS, loadExportTimeFormat, saveExportTimeFormat } from '../preferences.js';
import { byId, call, windowBridge } from './bridge.js';

const bridge = windowBridge();
const from = byId<HTMLInputElement>('export-from');
const to = byId<HTMLInputElement>('export-to');
const button = byId<HTMLButtonElement>('export-start');
const progress = byId<HTMLProgressElement>('export-progress');
const status = byId('export-status');
const timeFormat = byId<HTMLSelectElement>('export-time-format');
timeFormat.value = loadExportTimeFormat();
timeFormat.addEventListener('change', () => saveExportTimeFormat(chosenTimeFormat()));

function chosenTimeFormat() {
  return EXPORT_TIME_FORMATS.find((format) => format === timeFormat.value) ?? 'iso';
}

function setStatus(text: string, kind: 'info' | 'error' | 'ok' = 'info'): void {
  status.textContent = text;
  status.dataset.kind = kind;
}

/** Checks the two days as the main process will (strict DD-MM-YYYY, from ≤ to), to say so at once. */
function readDays(): { from: string; to: string } | null {
  for (const input of [from, to]) input.removeAttribute('aria-invalid');
  const parsed = [from, to].map((input) => {
    try {
      return parseDay(input.value.trim());
    } catch (error) {
      input.setAttribute('aria-invalid', 'true');
      setStatus(`${input === from ? 'From' : 'To'}: ${error instanceof Error ? error.message : String(error)}`, 'error');
      input.focus();
      return null;
    }
  });
  const [first, last] = parsed;
  if (!first || !last) return null;
  if (compareDays(first, last) > 0) {
    to.setAttribute('aria-invalid', 'true');
    setStatus('The first day is after the last one.', 'error');
    return null;
  }
  return { from: formatDay(first), to: formatDay(last) };
}

async function start(): Promise<void> {
  if (!bridge) {
    setStatus('This page belongs to the Vigil app.', 'error');
    button.disabled = true;
    return;
  }
  try {
    // The machine's own today (its time zone), not this page's.
    const host = await call(bridge.api.host({}));
    const today = parseDay(host.today);
    from.value = formatDay(addDays(today, -6));
    to.value = host.today;
  } catch (error) {
    setStatus(error instanceof Error ? error.message : String(error), 'error');
  }
  byId<HTMLFormElement>('export-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const days = readDays();
    if (!days) return;
    button.disabled = true;
    progress.hidden = false;
    progress.removeAttribute('value');
    setStatus('Choose where to save…');
    try {
      const result = await call(
        bridge.api.exportCsv({ ...days, timeFormat: chosenTimeFormat() }, (done, total) => {
          progress.max = Math.max(1, total);
          progress.value = done;
          setStatus(`${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
        }),
      );
      setStatus(result.fileName ? `Saved ${result.rows.toLocaleString('en-US')} rows to ${result.fileName}` : 'Cancelled.', result.fileName ? 'ok' : 'info');
    } catch (error) {
      setStatus(error instanceof Error ? error.message : String(error), 'error');
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
  byId('export-close').addEventListener('click', () => window.close());
}

void start();
