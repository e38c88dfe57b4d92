// The metric table as compiled: its rules, and the keys and columns it parses and builds.
import { describe, expect, it } from 'vitest';
import { compileTable, FAMILIES, isSeriesPrefix, parseColumn, parseSeriesKey } from '../../../src/shared/metrics/catalog.js';
import type { MetricDescriptor } from '../../../src/shared/metrics/descriptor.js';
import { METRIC_TABLE } from '../../../src/shared/metrics/table.js';
import { cpuCoreKey, isSeriesKey, netKey, netPrefix, seriesKeyOf, type SeriesKey } from '../../../src/shared/series.js';

const load1 = METRIC_TABLE.find((d) => d.key === 'load.1')!;

describe('the metric table', () => {
  it('compiles, one family per entry, with a line-protocol field that is the rest of its Prometheus name', () => {
    expect(FAMILIES).toHaveLength(METRIC_TABLE.length);
    const net = FAMILIES.find((f) => f.descriptor.key === 'net.{iface}.rx')!;
    expect(net.lineProtocolField).toBe('receive_bytes_per_second');
    expect(`${net.descriptor.lineProtocol.measurement}_${net.lineProtocolField}`).toBe(net.descriptor.prometheus.name);
    expect(FAMILIES.find((f) => f.descriptor.key === 'mem.used')).toMatchObject({ recordGroup: 'memory', recordField: 'used' });
  });

  it('refuses entries that break its rules', () => {
    const broken = (change: Partial<MetricDescriptor>) => () => compileTable([...METRIC_TABLE, { ...load1, ...change } as MetricDescriptor]);
    expect(broken({ key: 'load.x', csv: { column: 'loadx' }, prometheus: { ...load1.prometheus, name: 'vigil_other_x' } })).toThrow(/not a field of measurement vigil_system/);
    expect(broken({ key: 'load.x', csv: { column: 'loadx' } })).toThrow(/vigil_system_load1" is used twice/);
    expect(broken({ key: 'load.1', csv: { column: 'loadx' }, prometheus: { ...load1.prometheus, name: 'vigil_system_x' } })).toThrow(/key "load.1" is used twice/);
    expect(broken({ key: 'load.{cpu}', csv: { column: 'loadx' }, prometheus: { ...load1.prometheus, name: 'vigil_system_x' } })).toThrow(/must hold no placeholder/);
    expect(broken({ key: 'load.x', csv: { column: 'load_{iface}' }, prometheus: { ...load1.prometheus, name: 'vigil_system_x' } })).toThrow(/must hold no placeholder/);
    expect(() =>
      compileTable([...METRIC_TABLE, { ...METRIC_TABLE[1], key: 'cpu.x', csv: { column: 'cpux_percent' }, prometheus: { ...METRIC_TABLE[1].prometheus, name: 'vigil_cpu_core_x', counters: [] } } as MetricDescriptor]),
    ).toThrow(/must hold \{cpu\} once/);
    // Counters: unique names, vigil_…_total, and a source their family's scope has.
    const counter = (name: string, at: string) => ({ key: 'load.x', csv: { column: 'loadx' }, prometheus: { ...load1.prometheus, name: 'vigil_system_x', counters: [{ name, help: 'x', at }] } }) as Partial<MetricDescriptor>;
    expect(broken(counter('vigil_cpu_seconds_total', 'mode'))).toThrow(/vigil_cpu_seconds_total" is used twice/);
    expect(broken(counter('vigil_system_x_count', 'mode'))).toThrow(/must be vigil_…_total/);
    expect(broken(counter('vigil_system_x_total', 'mode'))).toThrow(/does not fit scope machine/);
  });
});

describe('series keys and CSV columns from the table', () => {
  it('builds keys with the helpers and parses them back to their family and instance', () => {
    const names = ['eth0', 'eth0.100', 'a.rx', 'my_rx_bps_tx', 'say "hi"', 'é-ü', '_'];
    for (const name of names) {
      for (const direction of ['rx', 'tx'] as const) {
        const key = netKey(name, direction);
        const parsed = parseSeriesKey(key)!;
        expect(parsed.instance).toBe(name);
        expect(parsed.family.descriptor.key).toBe(`net.{iface}.${direction}`);
        expect(seriesKeyOf(parsed.family, name)).toBe(key);
        expect(key.startsWith(netPrefix(name))).toBe(true);
      }
    }
    expect(parseSeriesKey(cpuCoreKey(12))).toMatchObject({ instance: '12' });
    expect(parseSeriesKey('cpu')).toMatchObject({ instance: null });
  });

  it('knows no key, column or prefix that no family has', () => {
    for (const key of ['mem.bogus', 'load.2', 'cpu.01', 'cpu.-1', 'cpu.', 'net..rx', 'net.eth0', 'disk.sda', '']) expect(isSeriesKey(key), key).toBe(false);
    for (const column of ['cpu01_percent', 'net__rx_bps', 'mem_cached_bytes', 'load2']) expect(parseColumn(column), column).toBeNull();
    for (const prefix of ['net.', 'net.eth0.', 'cpu.', 'mem.', 'swap.', 'load.']) expect(isSeriesPrefix(prefix), prefix).toBe(true);
    for (const prefix of ['disk.', 'net', 'x.', 'memory.']) expect(isSeriesPrefix(prefix), prefix).toBe(false);
  });

  it('types keys as the template literals the table spells', () => {
    const keys: SeriesKey[] = ['cpu', cpuCoreKey(3), 'mem.available', 'swap.used', 'load.15', netKey('wlan0', 'tx'), 'net.eth0.rx'];
    expect(keys.every(isSeriesKey)).toBe(true);
    // @ts-expect-error: no family has this key
    const unknown: SeriesKey = 'mem.cached';
    // @ts-expect-error: an interface's keys end in rx or tx
    const direction: SeriesKey = 'net.eth0.up';
    expect(isSeriesKey(unknown) || isSeriesKey(direction)).toBe(false);
  });
});
