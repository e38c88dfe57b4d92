// What the page remembers between visits, in the browser's localStorage (the app's window has
// its own): which charts are shown, which network interfaces (per machine: a hub shows many
// machines from one origin), and the CSV export's time column. Nothing here is sent anywhere.
import { exportParamsSchema, type ExportParams } from '../shared/api-params.js';
import { ALL_PANEL_KINDS, type PanelKind } from '../shared/panels.js';

const PANELS_KEY = 'vigil.panels';
const IFACES_KEY = 'vigil.interfaces';
const TIME_FORMAT_KEY = 'vigil.exportTimeFormat';

export type ExportTimeFormat = NonNullable<ExportParams['timeFormat']>;
/** The time columns the export offers (the API's, as `vigil export --time-format`). */
export const EXPORT_TIME_FORMATS: readonly ExportTimeFormat[] = exportParamsSchema.properties.timeFormat.enum;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    // Storage disabled (privacy settings): choices last as long as the page.
    return null;
  }
}

function read<T>(key: string): T | null {
  try {
    const text = storage()?.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    storage()?.setItem(key, JSON.stringify(value));
  } catch {
    // Full or disabled: the choice still holds for this page.
  }
}

/** The charts shown, in page order; every one until the person hides some. */
export function loadPanels(): PanelKind[] {
  const saved = read<unknown>(PANELS_KEY);
  if (!Array.isArray(saved)) return [...ALL_PANEL_KINDS];
  return ALL_PANEL_KINDS.filter((kind) => saved.includes(kind));
}

export function savePanels(kinds: readonly PanelKind[]): void {
  write(PANELS_KEY, kinds);
}

/** Interfaces switched on or off on this machine (others follow their kind). */
export function loadInterfaceChoices(machineId: string): Map<string, boolean> {
  const saved = read<Record<string, unknown>>(`${IFACES_KEY}.${machineId}`);
  const out = new Map<string, boolean>();
  if (saved && typeof saved === 'object') for (const [name, on] of Object.entries(saved)) if (typeof on === 'boolean') out.set(name, on);
  return out;
}

export function saveInterfaceChoices(machineId: string, choices: ReadonlyMap<string, boolean>): void {
  write(`${IFACES_KEY}.${machineId}`, Object.fromEntries(choices));
}

/** The export's time column last chosen here; ISO 8601 (the API's default) until one is. */
export function loadExportTimeFormat(): ExportTimeFormat {
  const saved = read<unknown>(TIME_FORMAT_KEY);
  return EXPORT_TIME_FORMATS.find((format) => format === saved) ?? 'iso';
}

export function saveExportTimeFormat(format: ExportTimeFormat): void {
  write(TIME_FORMAT_KEY, format);
}
