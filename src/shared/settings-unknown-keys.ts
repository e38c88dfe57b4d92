// Keys of a settings file that the schema does not know, named with the nearest known one: the
// agent warns of unknown sections and refuses unknown keys inside a known section.
import { settingsSections } from './settings.js';

/** A key of a settings file that the schema does not know, with the known name nearest to it. */
export interface UnknownSettingsKey {
  /** `section` at the top, `section.key` inside a known section. */
  key: string;
  suggestion: string | null;
}

/**
 * The keys of a settings file (parsed JSON) that the schema does not know: unknown sections (a
 * warning: a newer Vigil may have written them) and unknown keys inside known sections (an error:
 * the schema refuses them), each with the nearest known name when one is a typo away.
 */
export function unknownSettingsKeys(raw: unknown): UnknownSettingsKey[] {
  if (!isPlainObject(raw)) return [];
  const sections = settingsSections as Record<string, { properties: Record<string, unknown> }>;
  const unknown: UnknownSettingsKey[] = [];
  for (const [key, value] of Object.entries(raw)) {
    // conf's own bookkeeping (migrations), never a setting.
    if (key === '__internal__') continue;
    if (!Object.hasOwn(sections, key)) {
      unknown.push({ key, suggestion: nearestName(key, Object.keys(sections)) });
      continue;
    }
    if (!isPlainObject(value)) continue;
    const known = Object.keys(sections[key]!.properties);
    for (const inner of Object.keys(value)) {
      if (known.includes(inner)) continue;
      const suggestion = nearestName(inner, known);
      unknown.push({ key: `${key}.${inner}`, suggestion: suggestion === null ? null : `${key}.${suggestion}` });
    }
  }
  return unknown;
}

/** `unknown key "sampleing" (did you mean "sampling"?)`, or `unknown keys "a", "b"` for several. */
export function describeUnknownKeys(keys: readonly UnknownSettingsKey[]): string {
  const named = keys.map(({ key, suggestion }) => `"${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
  return `unknown key${keys.length > 1 ? 's' : ''} ${named.join(', ')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The candidate a typo away (edit distance ≤ 2, case ignored), if exactly one is nearest. */
function nearestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
