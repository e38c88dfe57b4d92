// The charts of the page and of `vigil chart`, by name, in page order, with the series each one
// needs from the API. Small on purpose: the CLI's option parser imports it, the agent with it.

export type PanelKind = 'cpu' | 'cores' | 'memory' | 'swap' | 'load' | 'disk' | 'net';

/** The charts a person can show or hide, in page order; network is one panel per interface. */
export const PANEL_GROUPS: readonly { id: PanelKind; label: string; keys: readonly string[] }[] = [
  { id: 'cpu', label: 'CPU', keys: ['cpu'] },
  { id: 'cores', label: 'CPU per core', keys: ['cpu.'] },
  { id: 'memory', label: 'Memory', keys: ['mem.total', 'mem.used', 'mem.free'] },
  { id: 'swap', label: 'Swap', keys: ['swap.'] },
  { id: 'load', label: 'Load average', keys: ['load.'] },
  { id: 'disk', label: 'Disk usage', keys: [] },
  { id: 'net', label: 'Network', keys: ['net.'] },
];
export const ALL_PANEL_KINDS: readonly PanelKind[] = PANEL_GROUPS.map((g) => g.id);

/** The series keys the API must send for these panels (and whether disk usage is wanted). */
export function keysForPanels(kinds: readonly PanelKind[]): { keys: string[]; disks: boolean } {
  const keys = new Set<string>();
  for (const group of PANEL_GROUPS) if (kinds.includes(group.id)) for (const key of group.keys) keys.add(key);
  // The API sends every series when keys is empty: ask for at least the total CPU.
  if (keys.size === 0) keys.add('cpu');
  return { keys: [...keys], disks: kinds.includes('disk') };
}

