// Canonical series order (the order flattenSample emits: cpu, cpu.0…n, memory, swap, load,
// then interfaces by name, rx before tx) for series gathered from several layouts, and the
// `keys` filter of SeriesQuery.
import { LOAD_KEYS, MEMORY_KEYS, compareNames, parseCoreKey, parseNetKey, type SeriesKey } from '../../shared/series.js';

const MEMORY_RANK = new Map<string, number>(MEMORY_KEYS.map((k, i) => [k, i]));
const LOAD_RANK = new Map<string, number>(LOAD_KEYS.map((k, i) => [k, i]));

function group(key: SeriesKey): number {
  if (key === 'cpu') return 0;
  if (parseCoreKey(key) !== null) return 1;
  if (MEMORY_RANK.has(key)) return 2;
  if (LOAD_RANK.has(key)) return 3;
  if (parseNetKey(key)) return 4;
  return 5; // a key this build does not know (written by a newer one): last, by name
}

export function compareSeriesKeys(a: SeriesKey, b: SeriesKey): number {
  const ga = group(a);
  const gb = group(b);
  if (ga !== gb) return ga - gb;
  switch (ga) {
    case 1:
      return parseCoreKey(a)! - parseCoreKey(b)!;
    case 2:
      return MEMORY_RANK.get(a)! - MEMORY_RANK.get(b)!;
    case 3:
      return LOAD_RANK.get(a)! - LOAD_RANK.get(b)!;
    case 4: {
      const na = parseNetKey(a)!;
      const nb = parseNetKey(b)!;
      return compareNames(na.iface, nb.iface) || compareNames(na.direction, nb.direction);
    }
    default:
      return compareNames(a, b);
  }
}

/** SeriesQuery.keys: exact keys, or prefixes ending in '.'; undefined or empty selects all. */
export function keyFilter(keys: readonly SeriesKey[] | undefined): (key: SeriesKey) => boolean {
  if (!keys || keys.length === 0) return () => true;
  const exact = new Set(keys.filter((k) => !k.endsWith('.')));
  const prefixes = keys.filter((k) => k.endsWith('.'));
  return (key) => exact.has(key) || prefixes.some((p) => key.startsWith(p));
}
