// The settings window's field model (src/renderer/settings/fields.ts): pure, so tested here in
// Node; the page itself runs in Chromium in tests/e2e/settings-window (bridged to the real IPC
// handlers).
import { describe, expect, it } from 'vitest';
import { describeSettings, diffSettings, fieldPathIn, humanize, linesOf, readCell, writeCell, type ColumnDescriptor } from '../../src/renderer/settings/fields.js';
import { defaultSettings, mergeSettings, settingsSections } from '../../src/shared/settings.js';

const sections = describeSettings(settingsSections as unknown as Record<string, { properties: Record<string, unknown> }>);
const field = (path: string) => sections.flatMap((s) => s.fields).find((f) => f.path === path);

describe('settings window fields', () => {
  it('every section of the schema but the hub’s, people’s order first', () => {
    const keys = sections.map((s) => s.key);
    expect(keys.slice(0, 4)).toEqual(['sampling', 'storage', 'csv', 'machine']);
    expect(keys).not.toContain('hub');
    expect(new Set(keys)).toEqual(new Set(Object.keys(settingsSections).filter((k) => k !== 'hub')));
  });

  it('controls follow the schema: numbers with their limits, choices, switches, lists, tables', () => {
    expect(field('sampling.intervalSeconds')).toMatchObject({ kind: 'integer', min: 1, max: 3600, label: 'Sample every (seconds)' });
    expect(field('log.level')).toMatchObject({ kind: 'choice', choices: ['error', 'warn', 'info', 'debug'] });
    expect(field('sync.enabled')).toMatchObject({ kind: 'boolean' });
    expect(field('smtp.to')).toMatchObject({ kind: 'lines' });
    expect(field('sync.url')).toMatchObject({ kind: 'text', maxLength: 2048 });
    expect(field('peers.list')).toMatchObject({
      kind: 'table',
      columns: [
        { key: 'name', label: 'Name', required: true, secret: false, maxLength: 128 },
        { key: 'url', label: 'Address', required: true, secret: false, maxLength: 2048 },
        { key: 'token', label: 'Token', required: false, secret: true, maxLength: 512 },
      ],
    });
    // Token hashes are not edited here.
    expect(field('server.tokenHash')).toBeUndefined();
  });

  it('an object of objects by name (the traffic quotas by interface) is a table with the name first; amounts read as people type them', () => {
    const quotas = field('traffic.quotas')!;
    expect(quotas).toMatchObject({
      kind: 'map',
      keyLabel: 'Interface',
      maxLength: 128,
      columns: [
        { key: 'bytes', label: 'Amount', required: true, kind: 'volume' },
        { key: 'direction', label: 'Direction', required: true, kind: 'choice', choices: ['rx', 'tx', 'total'] },
      ],
    });
    const amount = quotas.columns![0]!;
    expect(readCell(amount, '1 TB')).toBe(1e12);
    expect(readCell(amount, ' 1.5tb ')).toBe(1.5e12);
    expect(readCell(amount, '500 GB')).toBe(5e11);
    expect(readCell(amount, '1000000')).toBe(1e6);
    // Not an amount: sent as typed, so the main process names the field.
    expect(readCell(amount, 'lots')).toBe('lots');
    expect(readCell(amount, '1.5 B')).toBe('1.5 B');
    expect(writeCell(amount, 1e12)).toBe('1 TB');
    expect(writeCell(amount, 1.5e12)).toBe('1500 GB');
    expect(writeCell(amount, 1234)).toBe('1234');
    expect(field('traffic.resetDay')).toMatchObject({ kind: 'integer', min: 1, max: 28 });
  });

  it('every control sends the type its schema wants (a text box for an object sent "[object Object]")', () => {
    const expected: Record<string, string> = { boolean: 'boolean', integer: 'integer|number', choice: 'string', text: 'string', lines: 'array', table: 'array', map: 'object' };
    const schemas = settingsSections as unknown as Record<string, { properties: Record<string, { type: string | string[] }> }>;
    for (const f of sections.flatMap((s) => s.fields)) {
      const types = [schemas[f.section]!.properties[f.key]!.type].flat();
      expect(types.some((type) => expected[f.kind]!.split('|').includes(type)), `${f.path}: ${f.kind} for ${types.join('|')}`).toBe(true);
    }
    const integer: ColumnDescriptor = { key: 'n', label: 'N', required: true, secret: false, kind: 'integer' };
    expect(readCell(integer, '42')).toBe(42);
    expect(readCell(integer, '4.2')).toBe('4.2');
  });

  it('a property without a label of its own still shows, named from its key', () => {
    expect(humanize('maxOpenStores')).toBe('Max open stores');
    const extra = describeSettings({ newThing: { properties: { turnItOn: { type: 'boolean' } } } });
    expect(extra).toEqual([{ key: 'newThing', title: 'New thing', note: null, fields: [expect.objectContaining({ path: 'newThing.turnItOn', label: 'Turn it on', kind: 'boolean' })] }]);
  });

  it('a save sends only what changed', () => {
    const saved = mergeSettings(defaultSettings(), { peers: { list: [{ name: 'a', url: 'http://a:7470' }] } });
    const edited = {
      sampling: { intervalSeconds: 1, diskIntervalSeconds: 60 },
      peers: { list: [{ name: 'a', url: 'http://a:7470' }], checkIntervalSeconds: 10 },
      smtp: { to: ['ops@example.org'] },
    };
    expect(diffSettings(saved, edited)).toEqual({ peers: { checkIntervalSeconds: 10 }, smtp: { to: ['ops@example.org'] } });
    expect(diffSettings(saved, { sampling: { intervalSeconds: 1 } })).toEqual({});
  });

  it('finds the field an error is about', () => {
    expect(fieldPathIn('updateSettings: patch.sampling.intervalSeconds must be >= 1')).toBe('sampling.intervalSeconds');
    expect(fieldPathIn('updateSettings: patch.peers.list.0.url must match pattern "^https?://"')).toBe('peers.list.0.url');
    expect(fieldPathIn('Something else went wrong')).toBeNull();
    expect(linesOf(' a@x \n\n b@y \r\n')).toEqual(['a@x', 'b@y']);
  });
});
