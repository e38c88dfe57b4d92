// docs/settings.md is generated from the settings schema (scripts/gen-settings-doc.ts): it must be
// what the generator writes today, and the generator must show every key, default and comment.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS_DOC, readSourceDocs, renderSettingsDoc } from '../../scripts/gen-settings-doc.js';
import { defaultSettings, settingsSections } from '../../src/shared/settings.js';

describe('docs/settings.md', () => {
  it('is up to date with src/shared/settings.ts (else run `npx tsx scripts/gen-settings-doc.ts`)', () => {
    expect(fs.readFileSync(SETTINGS_DOC, 'utf8')).toBe(renderSettingsDoc());
  });

  it('lists every setting with its default, and the schema’s comments', () => {
    const doc = renderSettingsDoc();
    for (const [section, values] of Object.entries(defaultSettings() as Record<string, Record<string, unknown>>)) {
      expect(doc).toContain(`## ${section}\n`);
      for (const [key, value] of Object.entries(values)) {
        expect(doc).toContain(`| \`${section}.${key}\` | \`${JSON.stringify(value)}\` |`);
      }
    }
    expect(Object.keys(settingsSections).length).toBeGreaterThan(10);
    expect(doc).toMatch(/\| `sampling\.intervalSeconds` \| `1` \| integer 1–3600 \| Seconds between samples; ticks align to the wall clock\. \|/);
    expect(doc).toContain('| `peers.list[].token` | — | string, at most 512 characters | optional.');
    expect(doc).toContain('&lt;data-dir&gt;/sync-token');
  });

  it('follows a change to the schema’s comments (a stale doc is caught)', () => {
    const source = fs.readFileSync(new URL('../../src/shared/settings.ts', import.meta.url), 'utf8');
    const edited = source.replace('/** Seconds between samples; ticks align to the wall clock. */', '/** Renamed for the test. */');
    expect(edited).not.toBe(source);
    expect(readSourceDocs(edited).properties.get('sampling.intervalSeconds')).toBe('Renamed for the test.');
    expect(renderSettingsDoc(edited)).not.toBe(fs.readFileSync(SETTINGS_DOC, 'utf8'));
  });
});
