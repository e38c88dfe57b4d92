// The chart configurations shared by the page and the PNG: panels, bands, units, gaps, ticks and
// tooltips, from hand-made API results (no chart.js instance needed: the configs are data).
import type { Scale, TooltipItem } from 'chart.js';
import { describe, expect, it } from 'vitest';
import type { SeriesResult } from '../../src/shared/api.js';
import { buildChartPanels, DARK_THEME, heatColor, keysForPanels, LIGHT_THEME, withAlpha, Y_AXIS_WIDTH, type ChartPanel, type VigilDataset } from '../../src/shared/chart-config.js';
import { SeriesFlag } from '../../src/shared/series.js';

const T0 = Date.UTC(2025, 10, 14, 23, 0); // 00:00 in Paris
const MIN = 60_000;
const GiB = 1024 ** 3;

function result(overrides: Partial<SeriesResult> = {}): SeriesResult {
  const timestamps = [0, 1, 2, 3].map((i) => T0 + i * MIN);
  return {
    from: T0,
    to: T0 + 86_400_000,
    bucketMs: MIN,
    resolution: '1m',
    day: '15-11-2025',
    timestamps,
    series: [
      { key: 'cpu', flags: 0, avg: [10, 20, null, 40], min: [5, 15, null, 30], max: [50, 25, null, 99.9] },
      { key: 'mem.total', flags: 0, avg: [16 * GiB, 16 * GiB, 16 * GiB, 16 * GiB], min: [16 * GiB, 16 * GiB, 16 * GiB, 16 * GiB], max: [16 * GiB, 16 * GiB, 16 * GiB, 16 * GiB] },
      { key: 'mem.used', flags: 0, avg: [4 * GiB, 5 * GiB, 6 * GiB, 7 * GiB], min: [4 * GiB, 5 * GiB, 6 * GiB, 7 * GiB], max: [4 * GiB, 5 * GiB, 6 * GiB, 8 * GiB] },
      { key: 'net.eth0.rx', flags: 0, avg: [1e6, 2e6, 3e6, 4e6], min: [0, 0, 0, 0], max: [2.5e9, 3e6, 4e6, 5e6] },
      { key: 'net.eth0.tx', flags: 0, avg: [1e5, 2e5, 3e5, 4e5], min: [0, 0, 0, 0], max: [1e6, 1e6, 1e6, 1e6] },
      { key: 'net.lo.rx', flags: SeriesFlag.loopback, avg: [8, 16, 24, 32], min: [8, 16, 24, 32], max: [8, 16, 24, 32] },
      { key: 'net.lo.tx', flags: SeriesFlag.loopback, avg: [8, 16, 24, 32], min: [8, 16, 24, 32], max: [8, 16, 24, 32] },
    ],
    interfaces: [
      { name: 'eth0', loopback: false, virtual: false },
      { name: 'lo', loopback: true, virtual: false },
    ],
    disks: null,
    ...overrides,
  };
}

const options = { theme: LIGHT_THEME, timeZone: 'Europe/Paris' };
const byId = (panels: ChartPanel[], id: string): ChartPanel => panels.find((p) => p.id === id)!;
const datasets = (panel: ChartPanel) => panel.config.data.datasets as VigilDataset[];

describe('chart panels', () => {
  it('CPU, memory, then one panel per interface asked for, in that order', () => {
    expect(buildChartPanels(result(), options).map((p) => p.id)).toEqual(['cpu', 'memory', 'net:eth0', 'net:lo']);
    expect(buildChartPanels(result(), { ...options, interfaces: ['lo'] }).map((p) => p.id)).toEqual(['cpu', 'memory', 'net:lo']);
    expect(buildChartPanels(result(), { ...options, interfaces: ['wlan0', 'eth0'] }).map((p) => p.id)).toEqual(['cpu', 'memory', 'net:eth0']);
    expect(byId(buildChartPanels(result(), options), 'net:lo').title).toBe('Network lo (loopback)');
  });

  it('each series: its average on top, a min/max band behind it filled between the two', () => {
    const cpu = byId(buildChartPanels(result(), options), 'cpu');
    const [avg, min, max] = datasets(cpu);
    expect([avg!.vigilRole, min!.vigilRole, max!.vigilRole]).toEqual(['avg', 'min', 'max']);
    expect(avg!.data.map((p) => p.y)).toEqual([10, 20, null, 40]);
    expect(max!.data.map((p) => p.y)).toEqual([50, 25, null, 99.9]);
    expect(max!.fill).toBe(1);
    expect(min!.fill).toBe(false);
    expect(max!.backgroundColor).toBe(withAlpha(LIGHT_THEME.cpu, LIGHT_THEME.bandAlpha));
    expect(cpu.config.options!.scales!.y!.max).toBe(100);
    // The legend lists averages only.
    const filter = cpu.config.options!.plugins!.legend!.labels!.filter!;
    const shown = datasets(cpu).map((_, i) => filter({ datasetIndex: i } as never, cpu.config.data as never));
    expect(shown).toEqual([true, false, false]);
  });

  it('memory in one binary unit, the total as a dashed line without a band', () => {
    const memory = byId(buildChartPanels(result(), options), 'memory');
    expect([memory.unit, memory.factor]).toEqual(['GiB', GiB]);
    const sets = datasets(memory);
    expect(sets.filter((d) => d.vigilRole === 'avg').map((d) => d.label)).toEqual(['used', 'total']);
    expect(sets.find((d) => d.label === 'used')!.data.map((p) => p.y)).toEqual([4, 5, 6, 7]);
    expect(sets.find((d) => d.label === 'total')!.borderDash).toEqual([4, 3]);
    expect(sets.some((d) => d.vigilSeries === 'total' && d.vigilRole !== 'avg')).toBe(false);
  });

  it('network in one decimal unit chosen from the peak, so a burst fits the axis', () => {
    const eth0 = byId(buildChartPanels(result(), options), 'net:eth0');
    expect([eth0.unit, eth0.factor]).toEqual(['Gbit/s', 1e9]);
    expect(datasets(eth0).find((d) => d.vigilSeries === 'in' && d.vigilRole === 'max')!.data[0]!.y).toBe(2.5);
    const lo = byId(buildChartPanels(result(), options), 'net:lo');
    expect(lo.unit).toBe('bit/s');
  });

  it('a gap in the data breaks the lines instead of bridging it', () => {
    const timestamps = [T0, T0 + MIN, T0 + 10 * MIN, T0 + 11 * MIN];
    const cpu = byId(buildChartPanels(result({ timestamps }), options), 'cpu');
    const points = datasets(cpu)[0]!.data;
    expect(points.map((p) => p.x)).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 10 * MIN, T0 + 11 * MIN]);
    expect(points[2]!.y).toBeNull();
    expect(datasets(cpu)[0]!.spanGaps).toBe(false);
  });

  it('raw samples: lines only, no band; an empty result is marked empty', () => {
    const raw = result({ bucketMs: null, resolution: 'raw', series: [{ key: 'cpu', flags: 0, avg: [1, 2, 3, 4] }] });
    const cpu = byId(buildChartPanels(raw, options), 'cpu');
    expect(datasets(cpu).map((d) => d.vigilRole)).toEqual(['avg']);
    expect(cpu.empty).toBe(false);
    const empty = buildChartPanels(result({ timestamps: [], series: [], interfaces: [] }), options);
    expect(empty.map((p) => [p.id, p.empty])).toEqual([
      ['cpu', true],
      ['memory', true],
    ]);
  });

  it('the x axis: the range asked for, ticks on round wall-clock times of the machine', () => {
    const cpu = byId(buildChartPanels(result(), options), 'cpu');
    const x = cpu.config.options!.scales!.x!;
    expect([x.min, x.max]).toEqual([T0, T0 + 86_400_000]);
    const axis = { min: T0, max: T0 + 86_400_000, width: 600, ticks: [] as { value: number }[] };
    (x as { afterBuildTicks: (axis: Scale) => void }).afterBuildTicks(axis as unknown as Scale);
    const label = (x.ticks as { callback: (value: number) => string }).callback;
    expect(axis.ticks.map((t) => label(t.value))).toEqual(['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00', '00:00']);
    const zoomed = byId(buildChartPanels(result(), { ...options, range: { from: T0 + 3_600_000, to: T0 + 3_900_000 } }), 'cpu');
    expect(zoomed.config.options!.scales!.x!.min).toBe(T0 + 3_600_000);
    expect((zoomed.config.options!.scales!.x!.ticks as { callback: (value: number) => string }).callback(T0 + 3_630_000)).toBe('01:00:30');
  });

  it('tooltips: the exact time and bucket, each value in full with its min and max', () => {
    const panels = buildChartPanels(result(), options);
    const memory = byId(panels, 'memory');
    const callbacks = memory.config.options!.plugins!.tooltip!.callbacks as unknown as {
      title: (items: TooltipItem<'line'>[]) => string;
      label: (item: TooltipItem<'line'>) => string;
    };
    const sets = datasets(memory);
    const used = sets.find((d) => d.label === 'used')!;
    const item = { dataset: used, dataIndex: 3, parsed: { x: used.data[3]!.x, y: used.data[3]!.y }, chart: { data: { datasets: sets } } } as unknown as TooltipItem<'line'>;
    expect(callbacks.title([item])).toBe('15-11-2025 00:03:00 – 00:04:00 (1 min bucket)');
    expect(callbacks.label(item)).toBe('used: 7.00 GiB (min 7.00 GiB, max 8.00 GiB)');
    const filter = memory.config.options!.plugins!.tooltip!.filter!;
    expect(filter({ ...item, dataset: sets.find((d) => d.vigilRole === 'max')! } as never, 0, [], {} as never)).toBe(false);
  });

  it('themes: light and dark colours, drawn-in titles only for images', () => {
    const dark = byId(buildChartPanels(result(), { ...options, theme: DARK_THEME }), 'cpu');
    expect(datasets(dark)[0]!.borderColor).toBe(DARK_THEME.cpu);
    expect(dark.config.options!.scales!.x!.grid!.color).toBe(DARK_THEME.grid);
    expect(dark.config.options!.plugins!.title!.display).toBe(false);
    const image = byId(buildChartPanels(result(), { ...options, target: 'image' }), 'cpu');
    expect(image.config.options!.plugins!.title!.display).toBe(true);
    expect(image.config.options!.responsive).toBe(false);
    expect(image.config.options!.plugins!.tooltip!.enabled).toBe(false);
  });

  it('every metric on request: per-core heat strip, swap, load, disks per mount, in page order', () => {
    const data = result({
      series: [
        ...result().series,
        { key: 'cpu.0', flags: 0, avg: [0, 50, null, 100] },
        { key: 'cpu.1', flags: 0, avg: [10, 20, 30, 40] },
        { key: 'swap.total', flags: 0, avg: [0, 0, 0, 0] },
        { key: 'swap.used', flags: 0, avg: [0, 0, 0, 0] },
        { key: 'load.1', flags: 0, avg: [1.5, 2, null, 0.5] },
        { key: 'load.5', flags: 0, avg: [1, 1, null, 1] },
        { key: 'load.15', flags: 0, avg: [0.5, 0.5, null, 0.5] },
      ],
      disks: {
        mounts: [
          { mountPoint: '/', device: '/dev/sda1', fsType: 'ext4' },
          { mountPoint: '/home', device: '/dev/sdb1', fsType: 'xfs' },
        ],
        timestamps: [T0, T0 + 2 * MIN],
        used: [
          [25 * GiB, 50 * GiB],
          [null, 10 * GiB],
        ],
        total: [
          [100 * GiB, 100 * GiB],
          [null, 40 * GiB],
        ],
        // 5 GiB root reserve on /; /home's readings are from before Vigil kept them.
        free: [
          [75 * GiB, 50 * GiB],
          [null, null],
        ],
        available: [
          [70 * GiB, 45 * GiB],
          [null, null],
        ],
      },
    });
    const all = buildChartPanels(data, { ...options, panels: ['cpu', 'cores', 'memory', 'swap', 'load', 'disk', 'net'] });
    expect(all.map((p) => p.id)).toEqual(['cpu', 'cores', 'memory', 'swap', 'load', 'net:eth0', 'net:lo', 'disk']);
    expect(buildChartPanels(data, { ...options, panels: ['load', 'cpu'] }).map((p) => p.id)).toEqual(['cpu', 'load']);

    // Cores: one row each, values placed inside the row, the cell colours from the theme's stops.
    const cores = byId(all, 'cores');
    expect(datasets(cores).map((d) => d.label)).toEqual(['core 0', 'core 1']);
    expect(datasets(cores)[0]!.data.map((p) => p.y)).toEqual([0, 0.5, null, 1]);
    expect(datasets(cores)[1]!.data.map((p) => p.y)).toEqual([1.1, 1.2, 1.3, 1.4]);
    expect(cores.config.options!.scales!.y!.reverse).toBe(true);
    expect(heatColor(LIGHT_THEME.heat, 0)).toBe('rgb(224, 242, 254)');
    expect(heatColor(LIGHT_THEME.heat, 100)).toBe('rgb(185, 28, 28)');
    expect(heatColor(LIGHT_THEME.heat, 50)).toBe('rgb(245, 158, 11)');

    // A machine without swap says so.
    const swap = byId(all, 'swap');
    expect([swap.empty, swap.emptyText]).toEqual([true, 'No swap on this machine.']);

    const load = byId(all, 'load');
    expect(datasets(load).filter((d) => d.vigilRole === 'avg').map((d) => d.label)).toEqual(['1 min', '5 min', '15 min']);
    expect(load.format(1.234)).toBe('1.23');
    // Recorded without a value (Windows): the metric table says why.
    const noLoad = result({ series: (['load.1', 'load.5', 'load.15'] as const).map((key) => ({ key, flags: 0, avg: [null, null, null, null] })) });
    const windows = byId(buildChartPanels(noLoad, { ...options, panels: ['load'] }), 'load');
    expect([windows.empty, windows.emptyText]).toEqual([true, 'Windows has no load average.']);
    expect(byId(buildChartPanels(result(), { ...options, panels: ['load'] }), 'load').emptyText).toBe('No data in this span.');

    // Disks: df's Use% = used / (used + available), the root reserve in neither; a reading
    // without `available` falls back to % of the size. The tooltip gives df's bytes.
    const disk = byId(all, 'disk');
    expect(datasets(disk).map((d) => [d.label, d.data.map((p) => p.y)])).toEqual([
      ['/', [(25 / 95) * 100, (50 / 95) * 100]],
      ['/home', [null, 25]],
    ]);
    const label = (disk.config.options!.plugins!.tooltip!.callbacks as unknown as { label: (item: TooltipItem<'line'>) => string }).label;
    const item = { datasetIndex: 0, dataIndex: 1, dataset: datasets(disk)[0], parsed: { x: T0 + 2 * MIN, y: 50 } } as unknown as TooltipItem<'line'>;
    expect(label(item)).toBe('/: 50.0 % (50.0 GiB of 100 GiB, 45.0 GiB available)');

    // What the API must send for them.
    expect(keysForPanels(['cpu', 'disk'])).toEqual({ keys: ['cpu'], disks: true });
    expect(keysForPanels(['cores', 'net']).keys).toEqual(['cpu.', 'net.']);
    expect(keysForPanels(['memory', 'swap', 'load']).keys).toEqual(['mem.total', 'mem.used', 'mem.free', 'swap.total', 'swap.used', 'load.1', 'load.5', 'load.15']);
  });

  it('every y axis has the same width, so the plot areas line up', () => {
    const all = buildChartPanels(result(), { ...options, panels: ['cpu', 'cores', 'memory', 'load', 'net'] });
    for (const panel of all) {
      const axis = { width: 0 } as unknown as Scale;
      (panel.config.options!.scales!.y as unknown as { afterFit: (a: Scale) => void }).afterFit(axis);
      expect(axis.width).toBe(Y_AXIS_WIDTH.screen);
    }
  });

  it('loopback in = out is one line; bands have visible fill and edges', () => {
    const lo = byId(buildChartPanels(result(), options), 'net:lo');
    expect(datasets(lo).filter((d) => d.vigilRole === 'avg').map((d) => d.label)).toEqual(['in = out']);
    const band = datasets(byId(buildChartPanels(result(), options), 'cpu')).find((d) => d.vigilRole === 'max')!;
    expect(LIGHT_THEME.bandAlpha).toBeGreaterThanOrEqual(0.3);
    expect(DARK_THEME.bandAlpha).toBeGreaterThanOrEqual(0.35);
    expect(band.borderWidth).toBeGreaterThan(0);
  });

  it('long ranges: whole days for a week or a month, month names for a year', () => {
    const tickTexts = (from: number, to: number, width: number) => {
      const panel = byId(buildChartPanels(result({ from, to }), { ...options, range: { from, to } }), 'cpu');
      const x = panel.config.options!.scales!.x!;
      const axis = { min: from, max: to, width, ticks: [] as { value: number }[] };
      (x as { afterBuildTicks: (axis: Scale) => void }).afterBuildTicks(axis as unknown as Scale);
      const text = (x.ticks as { callback: (value: number) => string }).callback;
      return axis.ticks.map((t) => text(t.value));
    };
    const monday = Date.UTC(2025, 10, 2, 23); // Mon 03-11-2025 00:00 in Paris
    expect(tickTexts(monday, monday + 7 * 86_400_000, 600).slice(0, 3)).toEqual(['Mo 03-11', 'Tu 04-11', 'We 05-11']);
    const november = Date.UTC(2025, 9, 31, 23); // 01-11-2025 00:00 in Paris
    expect(tickTexts(november, november + 30 * 86_400_000, 500)).toEqual(['01-11', '08-11', '15-11', '22-11', '29-11']);
    const year = Date.UTC(2024, 11, 31, 23);
    expect(tickTexts(year, Date.UTC(2025, 11, 31, 23), 500)).toEqual(['Jan 2025', 'Mar', 'May', 'Jul', 'Sep', 'Nov', 'Jan 2026']);
  });
});
