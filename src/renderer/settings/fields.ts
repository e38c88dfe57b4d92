// What the settings window shows, decided from the one settings schema (shared/settings.ts): each
// section becomes a group of fields, each property a control chosen by its JSON Schema type, with
// the schema's own limits (minimum, maximum, maxLength, enum). A section or property added to the
// schema later shows up here by itself (with a label made from its name) until it gets a better
// label below. Pure (no DOM): the page renders these descriptors; tests read them.
import type { Settings, SettingsPatch } from '../../shared/settings.js';
import { formatExactVolume, parseVolume } from '../../shared/units.js';

export type FieldKind = 'boolean' | 'integer' | 'text' | 'choice' | 'lines' | 'table' | 'map';

/** How one column of a 'table' or 'map' reads and writes its cell. */
export type ColumnKind = 'text' | 'integer' | 'volume' | 'choice';

export interface ColumnDescriptor {
  key: string;
  label: string;
  required: boolean;
  secret: boolean;
  kind: ColumnKind;
  maxLength?: number;
  min?: number;
  max?: number;
  choices?: readonly string[];
}

export interface FieldDescriptor {
  section: string;
  key: string;
  /** section.key: what an error message names. */
  path: string;
  label: string;
  help: string | null;
  kind: FieldKind;
  min?: number;
  max?: number;
  maxLength?: number;
  choices?: readonly string[];
  /** For 'table' (an array of objects) and 'map' (an object of objects): one column per item property. */
  columns?: ColumnDescriptor[];
  /** For 'map': what the key column holds (its header), e.g. "Interface". */
  keyLabel?: string;
}

export interface SectionDescriptor {
  key: string;
  title: string;
  note: string | null;
  fields: FieldDescriptor[];
}

/** The order people look for things in; sections not listed follow, then are shown generically. */
const SECTION_ORDER = ['sampling', 'storage', 'csv', 'machine', 'sync', 'influx', 'peers', 'smtp', 'alerts', 'traffic', 'processes', 'server', 'publicIp', 'log'];

const SECTION_INFO: Record<string, { title: string; note?: string }> = {
  sampling: { title: 'Sampling' },
  storage: { title: 'History in the database', note: 'One-minute and one-hour summaries outlive the raw samples; hour summaries are kept forever.' },
  csv: { title: 'Daily CSV files' },
  machine: { title: 'This machine' },
  sync: { title: 'Hub', note: 'Send every sample to a Vigil hub. The token is kept in its own file, readable by you only, never in config.json.' },
  influx: { title: 'InfluxDB / VictoriaMetrics', note: 'A second place to send samples, in line protocol. Its token lives in its own file (default: influx-token in the data folder).' },
  peers: { title: 'Peers', note: 'Machines this one watches: no answer within the timeout, a few times in a row, and you get an email. Watching peers turns the local server on, so they can watch this machine back.' },
  smtp: { title: 'Email', note: 'Where alerts are sent from. The password is kept in its own file, readable by you only.' },
  alerts: { title: 'Alerts' },
  traffic: { title: 'Traffic and quotas', note: 'Totals per interface per billing month; an email at 80, 90 and 100 % of a quota, with where the month is heading.' },
  processes: { title: 'What was running', note: 'The top 5 processes by CPU and by memory of every minute, shown beside the charts.' },
  server: { title: 'Local server', note: 'Serves /health (for peers), the API and the chart page to a browser.' },
  publicIp: { title: 'Public IP address', note: 'Asks an outside service for this machine’s public address every few minutes (it then knows your address).' },
  log: { title: 'Logs' },
};

/** Not shown: the hub's own settings (read by `vigil hub`, not by this app). */
const HIDDEN_SECTIONS = new Set(['hub']);
/** Not editable here: hashes of tokens (set with the CLI, which hashes what it is given). */
const HIDDEN_FIELDS = new Set(['server.tokenHash']);

const FIELD_INFO: Record<string, { label: string; help?: string }> = {
  'sampling.intervalSeconds': { label: 'Sample every (seconds)', help: 'CPU, memory and network; 1 s is the default.' },
  'sampling.diskIntervalSeconds': { label: 'Disk usage every (seconds)' },
  'storage.rawRetentionDays': { label: 'Keep raw samples (days)' },
  'storage.minuteRetentionDays': { label: 'Keep 1-minute summaries (days)' },
  'storage.flushSeconds': { label: 'Write to the database every (seconds)', help: 'Samples reach the CSV file at once; the database is written in batches.' },
  'csv.retentionDays': { label: 'Keep daily CSV files (days)', help: '0 keeps them forever.' },
  'csv.exportTimeFormat': {
    label: 'Time column of one-click exports',
    help: "The tray menu's exports: iso (2026-11-22T14:03:05+01:00), local (2026-11-22 14:03:05, a date to LibreOffice and Excel) or unix (seconds). The daily files stay iso.",
  },
  'machine.name': { label: 'Name', help: 'How the hub, peers and alerts call this machine; empty uses the host name.' },
  'sync.enabled': { label: 'Send samples to a hub' },
  'sync.url': { label: 'Hub address', help: 'e.g. https://hub.example:7471' },
  'sync.tokenFile': { label: 'Token file', help: 'Empty: sync-token in the data folder.' },
  'sync.caFile': { label: 'Trusted CA (PEM file)', help: 'For a hub with a private or self-signed certificate.' },
  'sync.batchSamples': { label: 'Samples per batch' },
  'sync.intervalSeconds': { label: 'Send every (seconds)' },
  'sync.maxBackoffSeconds': { label: 'Longest wait between retries (seconds)' },
  'peers.list': { label: 'Watched machines', help: 'Address: the peer’s base URL (http://host:7470) or its /health URL.' },
  'peers.checkIntervalSeconds': { label: 'Check every (seconds)' },
  'peers.timeoutSeconds': { label: 'No answer after (seconds)' },
  'peers.failuresBeforeDown': { label: 'Failed checks before DOWN' },
  'peers.learnFromHub': { label: 'Also watch the machines the hub knows' },
  'peers.rebootNotice': { label: 'Tell me when a peer rebooted' },
  'smtp.url': { label: 'SMTP server', help: 'smtps://user@host:465, or smtp://user@host:587 (STARTTLS).' },
  'smtp.passwordFile': { label: 'Password file', help: 'Set by the password field below; empty: the password is in the URL, or none.' },
  'smtp.requireTls': { label: 'Refuse to send without TLS' },
  'smtp.caFile': { label: 'Trusted CA (PEM file)' },
  'smtp.from': { label: 'From', help: 'e.g. Vigil <vigil@example.org>' },
  'smtp.to': { label: 'To (one address per line)' },
  'traffic.resetDay': { label: 'Billing month starts on day', help: 'The day your provider’s counter restarts (1–28).' },
  'traffic.quotas': { label: 'Quotas', help: 'Per interface, e.g. eth0, 1 TB, total. Amounts in decimal units as providers sell them (500 GB, 1.5 TB) or in bytes.' },
  'processes.recordTop': { label: 'Record the top processes every minute', help: 'Name, pid, CPU % and memory of the 5 biggest by each; about 60 bytes a minute.' },
  'server.enabled': { label: 'Run the local server' },
  'server.ui': { label: 'Serve the chart page too' },
  'server.host': { label: 'Listen on', help: 'Any address but 127.0.0.1 requires an access token (vigil agent --ui-token, or $VIGIL_TOKEN).' },
  'server.port': { label: 'Port' },
  'publicIp.enabled': { label: 'Look up the public IP address' },
  'publicIp.url': { label: 'Service' },
  'publicIp.intervalMinutes': { label: 'Every (minutes)' },
  'publicIp.timeoutSeconds': { label: 'Timeout (seconds)' },
  'log.level': { label: 'Level' },
  'log.maxFileMegabytes': { label: 'Rotate at (MB)' },
  'log.maxFiles': { label: 'Rotated files kept' },
};

interface PropertySchema {
  type?: string | readonly string[];
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  items?: ObjectSchema;
  additionalProperties?: boolean | ObjectSchema;
  propertyNames?: { maxLength?: number };
}

interface ObjectSchema extends PropertySchema {
  properties?: Record<string, PropertySchema>;
  required?: readonly string[];
}

/** Headers of key columns, by field path; a map not listed here says "Name". */
const KEY_LABELS: Record<string, string> = { 'traffic.quotas': 'Interface' };

/** "diskIntervalSeconds" → "Disk interval seconds". */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function fieldOf(section: string, key: string, schema: PropertySchema): FieldDescriptor {
  const path = `${section}.${key}`;
  const info = FIELD_INFO[path];
  const base = { section, key, path, label: info?.label ?? humanize(key), help: info?.help ?? null };
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'boolean') return { ...base, kind: 'boolean' };
  if (type === 'integer' || type === 'number') return { ...base, kind: 'integer', min: schema.minimum, max: schema.maximum };
  if (type === 'string' && schema.enum) return { ...base, kind: 'choice', choices: schema.enum };
  if (type === 'array' && schema.items?.type === 'object') return { ...base, kind: 'table', columns: columnsOf(schema.items) };
  if (type === 'object' && typeof schema.additionalProperties === 'object' && schema.additionalProperties.type === 'object') {
    return { ...base, kind: 'map', keyLabel: KEY_LABELS[path] ?? 'Name', maxLength: schema.propertyNames?.maxLength, columns: columnsOf(schema.additionalProperties) };
  }
  if (type === 'array') return { ...base, kind: 'lines', maxLength: schema.items?.maxLength };
  return { ...base, kind: 'text', maxLength: schema.maxLength };
}

function columnsOf(item: ObjectSchema): ColumnDescriptor[] {
  const required = new Set(item.required ?? []);
  return Object.entries(item.properties ?? {}).map(([column, schema]) => {
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    const base = { key: column, label: column === 'url' ? 'Address' : humanize(column), required: required.has(column), secret: /token|password/i.test(column) };
    if (schema.enum) return { ...base, kind: 'choice' as const, choices: schema.enum };
    // A byte count people type as they buy it: "500 GB", "1.5 TB".
    if (type === 'integer' && column === 'bytes') return { ...base, label: 'Amount', kind: 'volume' as const, min: schema.minimum, max: schema.maximum };
    if (type === 'integer' || type === 'number') return { ...base, kind: 'integer' as const, min: schema.minimum, max: schema.maximum };
    return { ...base, kind: 'text' as const, maxLength: schema.maxLength };
  });
}

/**
 * A cell as typed, as the value the schema wants: whole numbers (and, for amounts, decimal units)
 * become numbers; anything else is sent as typed, so the main process names the field.
 */
export function readCell(column: ColumnDescriptor, text: string): unknown {
  const value = text.trim();
  if (column.kind === 'integer') return /^-?\d+$/.test(value) ? Number(value) : value;
  if (column.kind === 'volume') return parseVolume(value) ?? value;
  return value;
}

/** A value as its cell shows it: amounts in the largest decimal unit that keeps them exact. */
export function writeCell(column: ColumnDescriptor, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (column.kind === 'volume' && typeof value === 'number') return formatExactVolume(value);
  return String(value);
}

export function describeSettings(sections: Record<string, { properties: Record<string, unknown> }>): SectionDescriptor[] {
  const keys = Object.keys(sections).filter((key) => !HIDDEN_SECTIONS.has(key));
  keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return keys.map((key) => ({
    key,
    title: SECTION_INFO[key]?.title ?? humanize(key),
    note: SECTION_INFO[key]?.note ?? null,
    fields: Object.entries(sections[key]!.properties)
      .filter(([property]) => !HIDDEN_FIELDS.has(`${key}.${property}`))
      .map(([property, schema]) => fieldOf(key, property, schema as PropertySchema)),
  }));
}

function rank(section: string): number {
  const index = SECTION_ORDER.indexOf(section);
  return index === -1 ? SECTION_ORDER.length : index;
}

/** The properties whose edited value differs from the saved one, by section. */
export function diffSettings(saved: Settings, edited: Record<string, Record<string, unknown>>): SettingsPatch {
  const patch: Record<string, Record<string, unknown>> = {};
  const savedSections = saved as unknown as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(edited)) {
    for (const [key, value] of Object.entries(values)) {
      if (JSON.stringify(value) === JSON.stringify(savedSections[section]?.[key])) continue;
      (patch[section] ??= {})[key] = value;
    }
  }
  return patch as SettingsPatch;
}

/**
 * The field an error message is about: the main process names it ("patch.peers.list.0.url must
 * match …", "… is invalid: sampling.intervalSeconds …"), as section.key[.index.column].
 */
export function fieldPathIn(message: string): string | null {
  const match = /(?:patch\.)?\b([a-z][A-Za-z]*\.[a-z][A-Za-z]*(?:\.\d+(?:\.[a-z][A-Za-z]*)?)?)\b/.exec(message);
  return match ? match[1]! : null;
}

/** Lines of a textarea as an array: trimmed, empty lines dropped. */
export function linesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
