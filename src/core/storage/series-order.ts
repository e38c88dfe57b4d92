// The `keys` filter of SeriesQuery (canonical order lives in shared/series.ts: compareSeriesKeys).
/** SeriesQuery.keys: exact keys, or prefixes ending in '.'; undefined or empty selects all. */
export function keyFilter(keys: readonly string[] | undefined): (key: string) => boolean {
  if (!keys || keys.length === 0) return () => true;
  const exact = new Set(keys.filter((k) => !k.endsWith('.')));
  const prefixes = keys.filter((k) => k.endsWith('.'));
  return (key) => exact.has(key) || prefixes.some((p) => key.startsWith(p));
}
