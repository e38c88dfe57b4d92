// The settings window. Every control comes from the shared settings schema (fields.ts); a save
// sends only what changed, the main process validates it against the same schema the agent's
// settings file uses, writes config.json and applies it to the running core at once. Secrets (the
// hub token, the SMTP password, the InfluxDB token) go to their own 0600 files and are never shown
// back. The data folder is not a field: the main process asks for it in the OS's folder dialog.
import type { DataFolderOutcome, SecretValues, SettingsView, TestOutcome } from '../../shared/app-ipc.js';
import { settingsSections, type Settings } from '../../shared/settings.js';
import { byId, call, el, windowBridge } from './bridge.js';
import { describeSettings, diffSettings, fieldPathIn, linesOf, readCell, writeCell, type ColumnDescriptor, type FieldDescriptor, type SectionDescriptor } from './fields.js';

interface Control {
  field: FieldDescriptor;
  /** The focusable element an error points at. */
  element: HTMLElement;
  read(): unknown;
  write(value: unknown): void;
}

const bridge = windowBridge();
/** The key column of a 'map' table; not a property name any schema uses. */
const KEY_COLUMN = '$key';
const controls = new Map<string, Control>();
const secretInputs: { [K in keyof SecretValues]?: HTMLInputElement } = {};
const status = byId('status');
let view: SettingsView | null = null;

function setStatus(text: string, kind: 'info' | 'error' | 'ok' = 'info'): void {
  status.textContent = text;
  status.dataset.kind = kind;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------- controls

function inputControl(field: FieldDescriptor, id: string): Control {
  switch (field.kind) {
    case 'boolean': {
      const input = el('input', { id, type: 'checkbox' });
      return { field, element: input, read: () => input.checked, write: (v) => (input.checked = v === true) };
    }
    case 'integer': {
      const input = el('input', { id, type: 'number', step: 1, min: field.min, max: field.max, inputmode: 'numeric' });
      return {
        field,
        element: input,
        // A value that is not a whole number is sent as typed: the main process names the field.
        read: () => (/^-?\d+$/.test(input.value.trim()) ? Number(input.value.trim()) : input.value),
        write: (v) => (input.value = String(v ?? '')),
      };
    }
    case 'choice': {
      const select = el('select', { id }, ...(field.choices ?? []).map((choice) => el('option', { value: choice, text: choice })));
      return { field, element: select, read: () => select.value, write: (v) => (select.value = String(v ?? '')) };
    }
    case 'lines': {
      const area = el('textarea', { id, rows: 3, spellcheck: 'false' });
      return { field, element: area, read: () => linesOf(area.value), write: (v) => (area.value = Array.isArray(v) ? v.join('\n') : '') };
    }
    case 'table':
    case 'map':
      return tableControl(field, id);
    case 'text':
    default: {
      const input = el('input', { id, type: 'text', maxlength: field.maxLength, spellcheck: 'false', autocomplete: 'off' });
      return { field, element: input, read: () => input.value.trim(), write: (v) => (input.value = String(v ?? '')) };
    }
  }
}

/**
 * Rows of cells, add and remove: an array of objects (the peers, kind 'table'), or an object of
 * objects by name (the traffic quotas by interface, kind 'map', whose first column is the name).
 */
function tableControl(field: FieldDescriptor, id: string): Control {
  const keyColumn: ColumnDescriptor | null =
    field.kind === 'map' ? { key: KEY_COLUMN, label: field.keyLabel ?? 'Name', required: true, secret: false, kind: 'text', maxLength: field.maxLength } : null;
  const columns = [...(keyColumn ? [keyColumn] : []), ...(field.columns ?? [])];
  const body = el('tbody');
  const table = el(
    'table',
    { id, class: 'table' },
    el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', text: c.required ? c.label : `${c.label} (optional)` })), el('th', {}, el('span', { class: 'visually-hidden', text: 'Remove' })))),
    body,
  );
  const cell = (column: ColumnDescriptor, value: unknown): HTMLInputElement | HTMLSelectElement => {
    const common = { 'data-column': column.key, 'aria-label': column.label };
    if (column.kind === 'choice') {
      const select = el('select', common, ...(column.choices ?? []).map((choice) => el('option', { value: choice, text: choice })));
      if (typeof value === 'string') select.value = value;
      return select;
    }
    return el('input', {
      ...common,
      type: column.secret ? 'password' : 'text',
      inputmode: column.kind === 'integer' ? 'numeric' : undefined,
      maxlength: column.maxLength,
      spellcheck: 'false',
      autocomplete: 'off',
      value: writeCell(column, value),
    });
  };
  const addRow = (item: Record<string, unknown> = {}) => {
    const row = el('tr');
    for (const column of columns) row.append(el('td', {}, cell(column, item[column.key])));
    const remove = el('button', { type: 'button', class: 'link', text: 'Remove' });
    remove.addEventListener('click', () => row.remove());
    row.append(el('td', {}, remove));
    body.append(row);
  };
  const readRow = (row: HTMLTableRowElement): Record<string, unknown> | null => {
    const item: Record<string, unknown> = {};
    let typed = false;
    for (const input of row.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-column]')) {
      const column = columns.find((c) => c.key === input.dataset.column)!;
      const text = input.value.trim();
      // A choice always has a value; a row is kept when something was typed in it.
      if (text !== '' && column.kind !== 'choice') typed = true;
      if (text !== '' || column.required) item[column.key] = readCell(column, text);
    }
    return typed ? item : null;
  };
  const add = el('button', { type: 'button', text: 'Add' });
  add.addEventListener('click', () => {
    addRow();
    (body.lastElementChild?.querySelector('input') as HTMLInputElement | null)?.focus();
  });
  const wrapper = el('div', { class: 'table-wrap' }, table, add);
  const items = () => [...body.rows].map(readRow).filter((item): item is Record<string, unknown> => item !== null);
  return {
    field,
    element: wrapper,
    read: () => {
      if (!keyColumn) return items();
      const map: Record<string, unknown> = {};
      for (const { [KEY_COLUMN]: name, ...rest } of items()) map[String(name)] = rest;
      return map;
    },
    write: (value) => {
      body.replaceChildren();
      if (Array.isArray(value)) for (const item of value) addRow(item as Record<string, unknown>);
      else if (keyColumn && value && typeof value === 'object') {
        for (const [name, item] of Object.entries(value)) addRow({ ...(item as Record<string, unknown>), [KEY_COLUMN]: name });
      }
    },
  };
}

function fieldRow(field: FieldDescriptor): HTMLElement {
  const id = `field-${field.path.replace('.', '-')}`;
  const control = inputControl(field, id);
  controls.set(field.path, control);
  const help = field.help ? el('p', { class: 'help', id: `${id}-help`, text: field.help }) : null;
  if (help) control.element.setAttribute('aria-describedby', help.id);
  control.element.dataset.path = field.path;
  if (field.kind === 'boolean') {
    return el('div', { class: 'field check' }, control.element, el('label', { for: id, text: field.label }), help);
  }
  return el('div', { class: `field ${field.kind}` }, el('label', { for: id, text: field.label }), control.element, help);
}

function secretRow(id: string, label: string, help: string): { row: HTMLElement; input: HTMLInputElement } {
  const input = el('input', { id, type: 'password', autocomplete: 'off', spellcheck: 'false', maxlength: 4096 });
  const clear = el('button', { type: 'button', class: 'link', text: 'Remove' });
  clear.addEventListener('click', () => {
    input.value = '';
    input.dataset.remove = 'true';
    input.placeholder = 'will be removed when you save';
  });
  input.addEventListener('input', () => delete input.dataset.remove);
  const helpElement = el('p', { class: 'help', id: `${id}-help`, text: help });
  input.setAttribute('aria-describedby', helpElement.id);
  return { row: el('div', { class: 'field text' }, el('label', { for: id, text: label }), el('div', { class: 'inline' }, input, clear), helpElement), input };
}

function testRow(label: string, run: () => Promise<TestOutcome>): HTMLElement {
  const button = el('button', { type: 'button', text: label });
  const result = el('span', { class: 'test-result', role: 'status', 'aria-live': 'polite' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.textContent = 'Saving and testing…';
    delete result.dataset.kind;
    try {
      if (!(await save())) {
        result.textContent = 'Not tested: the settings could not be saved.';
        result.dataset.kind = 'error';
        return;
      }
      const outcome = await run();
      result.textContent = outcome.message;
      result.dataset.kind = outcome.ok ? 'ok' : 'error';
    } catch (error) {
      result.textContent = describeError(error);
      result.dataset.kind = 'error';
    } finally {
      button.disabled = false;
    }
  });
  return el('div', { class: 'field test' }, button, result);
}

function sectionElement(section: SectionDescriptor): HTMLElement {
  const box = el('fieldset', { class: 'group', id: `section-${section.key}` }, el('legend', { text: section.title }));
  if (section.note) box.append(el('p', { class: 'note', text: section.note }));
  for (const field of section.fields) box.append(fieldRow(field));
  if (!bridge) return box;
  if (section.key === 'sync') {
    const secret = secretRow('secret-sync-token', 'Token', 'The token `vigil hub add-machine` printed. Leave empty to keep the saved one.');
    secretInputs.syncToken = secret.input;
    box.append(secret.row, testRow('Test connection', () => call(bridge.app.testSync())));
  }
  if (section.key === 'smtp') {
    const secret = secretRow('secret-smtp-password', 'Password', 'Leave empty to keep the saved one (or none).');
    secretInputs.smtpPassword = secret.input;
    box.append(secret.row, testRow('Send test email', () => call(bridge.app.sendTestEmail())));
  }
  if (section.key === 'influx') {
    const secret = secretRow('secret-influx-token', 'Token', 'An InfluxDB 2.x/3.x API token, or user:password for 1.x; none for VictoriaMetrics. Leave empty to keep the saved one.');
    secretInputs.influxToken = secret.input;
    box.append(secret.row);
  }
  return box;
}

// ---------------------------------------------------------------- load, show, save

function show(next: SettingsView): void {
  view = next;
  byId('file').textContent = next.file;
  byId('data-dir').textContent = next.dataDir;
  showDataFolder(next);
  const values = next.settings as unknown as Record<string, Record<string, unknown>>;
  for (const control of controls.values()) {
    control.write(values[control.field.section]?.[control.field.key]);
    control.element.removeAttribute('aria-invalid');
  }
  const secretState = (input: HTMLInputElement | undefined, set: boolean) => {
    if (!input) return;
    input.value = '';
    delete input.dataset.remove;
    input.placeholder = set ? 'saved (hidden)' : 'not set';
  };
  secretState(secretInputs.syncToken, next.secrets.syncToken);
  secretState(secretInputs.smtpPassword, next.secrets.smtpPassword);
  secretState(secretInputs.influxToken, next.secrets.influxToken);
}

// ---------------------------------------------------------------- data folder

function showDataFolder(next: SettingsView): void {
  const folder = next.dataFolder;
  const choose = byId<HTMLButtonElement>('choose-data-folder');
  const useDefault = byId<HTMLButtonElement>('default-data-folder');
  choose.disabled = !folder.canChoose;
  useDefault.hidden = !folder.canChoose || folder.source === 'default';
  byId('data-folder-source').textContent =
    folder.source === 'env'
      ? 'Set by the environment variable VIGIL_DATA_DIR, which wins over a folder chosen here: change or unset it to use another folder.'
      : folder.source === 'chosen'
        ? `A folder chosen here (the default one is ${folder.defaultDir}).`
        : 'The default folder, which the vigil agent uses too.';
  const folderStatus = byId('data-folder-status');
  folderStatus.textContent = folder.problem ?? '';
  if (folder.problem) folderStatus.dataset.kind = 'error';
  else delete folderStatus.dataset.kind;
}

async function moveDataFolder(params: { useDefault?: boolean }): Promise<void> {
  if (!bridge) return;
  const buttons = [byId<HTMLButtonElement>('choose-data-folder'), byId<HTMLButtonElement>('default-data-folder')];
  const folderStatus = byId('data-folder-status');
  for (const button of buttons) button.disabled = true;
  folderStatus.textContent = params.useDefault ? 'Moving to the default folder…' : 'Choose the folder in the dialog…';
  delete folderStatus.dataset.kind;
  try {
    const outcome: DataFolderOutcome = await call(bridge.app.chooseDataFolder(params));
    // The settings shown are the new folder's from now on.
    if (outcome.moved) show(outcome.view);
    else showDataFolder(outcome.view);
    folderStatus.textContent = outcome.message;
    if (outcome.moved) folderStatus.dataset.kind = 'ok';
  } catch (error) {
    if (view) showDataFolder(view);
    folderStatus.textContent = describeError(error);
    folderStatus.dataset.kind = 'error';
  } finally {
    if (view?.dataFolder.canChoose) buttons[0]!.disabled = false;
    buttons[1]!.disabled = false;
  }
}

function edited(): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const control of controls.values()) (values[control.field.section] ??= {})[control.field.key] = control.read();
  return values;
}

function secretValue(input: HTMLInputElement | undefined): string | undefined {
  if (!input) return undefined;
  if (input.dataset.remove === 'true') return '';
  return input.value === '' ? undefined : input.value;
}

/** Saves what changed; true when saved (or nothing to save). */
async function save(): Promise<boolean> {
  if (!bridge || !view) return false;
  for (const control of controls.values()) control.element.removeAttribute('aria-invalid');
  const patch = diffSettings(view.settings as Settings, edited());
  const secrets: SecretValues = {};
  for (const key of Object.keys(secretInputs) as (keyof SecretValues)[]) {
    const value = secretValue(secretInputs[key]);
    if (value !== undefined) secrets[key] = value;
  }
  if (Object.keys(patch).length === 0 && Object.keys(secrets).length === 0) {
    setStatus('No changes.');
    return true;
  }
  setStatus('Saving…');
  try {
    const next = await call(bridge.app.updateSettings({ patch, ...(Object.keys(secrets).length ? { secrets } : {}) }));
    show(next);
    setStatus('Saved and applied.', 'ok');
    return true;
  } catch (error) {
    const message = describeError(error);
    setStatus(message, 'error');
    const path = fieldPathIn(message);
    const control = path ? (controls.get(path) ?? controls.get(path.split('.').slice(0, 2).join('.'))) : undefined;
    if (control) {
      control.element.setAttribute('aria-invalid', 'true');
      control.element.focus();
    }
    return false;
  }
}

async function start(): Promise<void> {
  const container = byId('sections');
  for (const section of describeSettings(settingsSections as unknown as Record<string, { properties: Record<string, unknown> }>)) container.append(sectionElement(section));
  if (!bridge) {
    document.body.dataset.state = 'error';
    setStatus('This page belongs to the Vigil app’s settings window.', 'error');
    return;
  }
  byId('open-data-folder').addEventListener('click', () => void call(bridge.app.openDataFolder()).catch((error: unknown) => setStatus(describeError(error), 'error')));
  byId('choose-data-folder').addEventListener('click', () => void moveDataFolder({}));
  byId('default-data-folder').addEventListener('click', () => void moveDataFolder({ useDefault: true }));
  byId('revert').addEventListener('click', () => {
    if (view) show(view);
    setStatus('Changes discarded.');
  });
  byId<HTMLFormElement>('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  try {
    show(await call(bridge.app.getSettings()));
    document.body.dataset.state = 'ready';
  } catch (error) {
    document.body.dataset.state = 'error';
    setStatus(describeError(error), 'error');
  }
}

void start();
