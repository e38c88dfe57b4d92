// The charts' two colour themes (the page follows the system's light or dark; `vigil chart`
// takes --theme). Every colour a panel draws comes from here.

export interface ChartTheme {
  name: 'light' | 'dark';
  background: string;
  text: string;
  grid: string;
  cpu: string;
  memUsed: string;
  memFree: string;
  memTotal: string;
  rx: string;
  tx: string;
  swap: string;
  load1: string;
  load5: string;
  load15: string;
  /** Lines of the disk panel, one per mount, in turn. */
  disks: readonly string[];
  /** The heat strip's colours at 0, 50 and 100 %. */
  heat: readonly [string, string, string];
  /** Opacity of the min/max band, 0–1. */
  bandAlpha: number;
}

export const LIGHT_THEME: ChartTheme = {
  name: 'light',
  background: '#ffffff',
  text: '#374151',
  grid: 'rgba(0, 0, 0, 0.08)',
  cpu: '#2563eb',
  memUsed: '#c2410c',
  memFree: '#15803d',
  memTotal: '#6b7280',
  rx: '#0369a1',
  tx: '#b45309',
  swap: '#7c3aed',
  load1: '#be123c',
  load5: '#0f766e',
  load15: '#4338ca',
  disks: ['#0e7490', '#a16207', '#7e22ce', '#15803d', '#be185d', '#1d4ed8', '#c2410c', '#4d7c0f'],
  heat: ['#e0f2fe', '#f59e0b', '#b91c1c'],
  bandAlpha: 0.3,
};

export const DARK_THEME: ChartTheme = {
  name: 'dark',
  background: '#111827',
  text: '#d1d5db',
  grid: 'rgba(255, 255, 255, 0.1)',
  cpu: '#60a5fa',
  memUsed: '#fb923c',
  memFree: '#4ade80',
  memTotal: '#9ca3af',
  rx: '#38bdf8',
  tx: '#fbbf24',
  swap: '#c084fc',
  load1: '#fb7185',
  load5: '#2dd4bf',
  load15: '#a5b4fc',
  disks: ['#22d3ee', '#facc15', '#d8b4fe', '#4ade80', '#f9a8d4', '#93c5fd', '#fdba74', '#bef264'],
  heat: ['#1e293b', '#d97706', '#f87171'],
  bandAlpha: 0.38,
};
