// The charts of the page and of `vigil chart`, by name, in page order, with the series each one
// needs from the API: one per group of the metric table (shared/metrics/table.ts), and the per-core
// heat strip after CPU. Nothing here lists metrics by hand: a family added to the table with a
// `chart` entry appears in its group's chart.
import { FAMILIES } from './metrics/catalog.js';
import { METRIC_GROUPS, type MetricGroup } from './metrics/descriptor.js';

export type PanelKind = MetricGroup | 'cores';

export interface PanelGroup {
  id: PanelKind;
  label: string;
  /** Series keys (or prefixes ending in '.') the API must send for it. */
  keys: readonly string[];
}

function groupKeys(group: MetricGroup): string[] {
  const keys = new Set<string>();
  for (const family of FAMILIES) {
    if (family.descriptor.group !== group || !family.descriptor.chart || !family.key) continue;
    // A per-instance family: every instance, by its key's prefix ('net.').
    keys.add(family.key.literal ? family.key.text : family.key.prefix);
  }
  return [...keys];
}

/** The charts a person can show or hide, in page order; network is one chart per interface. */
export const PANEL_GROUPS: readonly PanelGroup[] = (Object.keys(METRIC_GROUPS) as MetricGroup[]).flatMap((group) => {
  const entry: PanelGroup = { id: group, label: group === 'load' ? 'Load average' : group === 'disk' ? 'Disk usage' : METRIC_GROUPS[group].title, keys: groupKeys(group) };
  if (group !== 'cpu') return [entry];
  const perCpu = FAMILIES.find((family) => family.scope === 'cpu' && family.key);
  return perCpu ? [entry, { id: 'cores' as const, label: 'CPU per core', keys: [perCpu.key!.prefix] }] : [entry];
});
export const ALL_PANEL_KINDS: readonly PanelKind[] = PANEL_GROUPS.map((g) => g.id);

/** The series keys the API must send for these panels (and whether disk usage is wanted). */
export function keysForPanels(kinds: readonly PanelKind[]): { keys: string[]; disks: boolean } {
  const keys = new Set<string>();
  for (const group of PANEL_GROUPS) if (kinds.includes(group.id)) for (const key of group.keys) keys.add(key);
  // The API sends every series when keys is empty: ask for at least the total CPU.
  if (keys.size === 0) keys.add('cpu');
  return { keys: [...keys], disks: kinds.includes('disk') };
}
