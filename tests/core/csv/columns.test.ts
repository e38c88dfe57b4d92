import { afterAll, describe, expect, it } from 'vitest';
import { CsvLayout, FIXED_KEYS, columnName, formatCell, formatNumber, keyOfColumn } from '../../../src/core/csv/columns.js';
import { compareSeriesKeys } from '../../../src/shared/series.js';
import { formatLocalIso } from '../../../src/shared/dates.js';
import { parseCsv } from '../../../src/core/csv/rfc4180.js';
import { flattenSample, quantize } from '../../../src/shared/series.js';
import { makeSample } from './helpers.js';

describe('column names', () => {
  it('names every kind of series as documented', () => {
    expect(['cpu', 'cpu.0', 'cpu.12', 'mem.total', 'mem.available', 'swap.used', 'load.1', 'load.15', 'net.eth0.rx', 'net.eth0.100.tx'].map(columnName)).toEqual([
      'cpu_percent',
      'cpu0_percent',
      'cpu12_percent',
      'mem_total_bytes',
      'mem_available_bytes',
      'swap_used_bytes',
      'load1',
      'load15',
      'net_eth0_rx_bps',
      'net_eth0.100_tx_bps',
    ]);
  });

  it('maps column names back to the same keys, whatever the interface name holds', () => {
    const names = ['eth0', 'wlp2s0', 'my_rx_bps_tx', 'a,b', 'say "hi"', 'line\nbreak', 'cr\r\nlf', 'net_x', 'é-ü', '_', 'rx'];
    const keys = ['cpu', 'cpu.0', 'cpu.31', ...FIXED_KEYS, ...names.flatMap((n) => [`net.${n}.rx`, `net.${n}.tx`])];
    for (const key of keys) expect(keyOfColumn(columnName(key))).toBe(key);
  });

  it('does not take foreign columns for series', () => {
    for (const name of ['time', 'unix_ms', 'cpu', 'cpu01_percent', 'cpu_0_percent', 'net__rx_bps', 'net_eth0_up_bps', 'mem_total', 'load', 'loadavg', 'disk_used_bytes']) {
      expect(keyOfColumn(name)).toBeNull();
    }
  });
});

describe('canonical order', () => {
  it('orders cpu, cores by index, memory, swap, load, then interfaces by name with rx before tx', () => {
    const shuffled = ['net.eth0.tx', 'load.15', 'cpu.10', 'net.Eth1.rx', 'swap.used', 'cpu', 'net.eth0.rx', 'mem.free', 'cpu.2', 'load.1', 'mem.total', 'net.Eth1.tx', 'swap.total', 'mem.used', 'load.5', 'mem.available'];
    expect([...shuffled].sort(compareSeriesKeys)).toEqual([
      'cpu',
      'cpu.2',
      'cpu.10',
      'mem.total',
      'mem.used',
      'mem.available',
      'mem.free',
      'swap.total',
      'swap.used',
      'load.1',
      'load.5',
      'load.15',
      'net.Eth1.rx', // code-point order: uppercase first, as compareNames says
      'net.Eth1.tx',
      'net.eth0.rx',
      'net.eth0.tx',
    ]);
  });

  it('is the order flattenSample emits for a sample with sorted interfaces', () => {
    const sample = makeSample(0, { cores: 12, ifaces: [{ name: 'a', rx: 1, tx: 2 }, { name: 'b.1', rx: 3, tx: 4 }, { name: 'b_0', rx: 5, tx: 6 }] });
    const keys = flattenSample(sample).series.map((s) => s.key);
    expect([...keys].sort(compareSeriesKeys)).toEqual(keys);
    expect(CsvLayout.forKeys([...keys].reverse()).keys).toEqual(keys);
  });
});

describe('formatNumber', () => {
  it('writes the shortest exact decimal', () => {
    expect(formatNumber(12.3)).toBe('12.3');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(100)).toBe('100');
    expect(formatNumber(17179869184)).toBe('17179869184');
    expect(formatNumber(1763816585000)).toBe('1763816585000');
  });

  it('never uses exponent notation', () => {
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(1.5e22)).toBe('15000000000000000000000');
    expect(formatNumber(-2.5e21)).toBe('-2500000000000000000000');
    expect(formatNumber(1e-7)).toBe('0.0000001');
    expect(formatNumber(1.25e-7)).toBe('0.000000125');
    expect(formatNumber(-3e-9)).toBe('-0.000000003');
    for (const value of [1e21, 1.5e22, 1e-7, 1.25e-7, 123456789e-15, 2 ** 80]) {
      expect(Number(formatNumber(value))).toBe(value);
      expect(formatNumber(value)).not.toMatch(/e/i);
    }
  });

  it('formats cells at the series resolution: no float noise, empty for no value', () => {
    expect(formatCell(0.1 + 0.2, 0.1)).toBe('0.3');
    expect(formatCell(12.300000000000001, 0.1)).toBe('12.3');
    expect(formatCell(1.0049999999, 0.01)).toBe('1');
    expect(formatCell(2.675, 0.01)).toBe('2.68');
    expect(formatCell(8 * 125_000_001, 8)).toBe('1000000008');
    expect(formatCell(null, 0.1)).toBe('');
    expect(formatCell(Number.NaN, 0.1)).toBe('');
    expect(formatCell(Number.POSITIVE_INFINITY, 8)).toBe('');
  });

  it('formats cells from integer steps exactly as formatNumber(quantize()) would', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const magnitudes = [1, 10, 100, 1e3, 1e6, 1e9, 1e12, 1e15, 1e17];
    for (const resolution of [0.1, 0.01, 0.001, 8, 1024, 1]) {
      for (let n = 0; n < 3000; n++) {
        const magnitude = magnitudes[Math.floor(random() * magnitudes.length)]!;
        const value = (random() - 0.3) * magnitude;
        expect(formatCell(value, resolution)).toBe(formatNumber(quantize(value, resolution)));
      }
      for (const value of [0, -0, resolution, -resolution, 0.04, -0.04, 99.95, 1e9, 999_999_999.9, 2 ** 53, 1e300]) {
        expect(formatCell(value, resolution)).toBe(formatNumber(quantize(value, resolution)));
      }
    }
  });
});

describe('CsvLayout', () => {
  it('always has the fixed columns, even for no series', () => {
    const layout = CsvLayout.forKeys([]);
    expect(layout.header).toBe(
      'time,unix_ms,cpu_percent,mem_total_bytes,mem_used_bytes,mem_available_bytes,mem_free_bytes,swap_total_bytes,swap_used_bytes,load1,load5,load15\r\n',
    );
  });

  it('quotes interface names that need it in the header, and reads such a header back', () => {
    const layout = CsvLayout.forKeys(['net.a,b.rx', 'net.a,b.tx', 'net.say "hi".rx', 'net.say "hi".tx', 'net.x\ny.rx', 'net.x\ny.tx']);
    expect(layout.header).toContain(',"net_a,b_rx_bps","net_a,b_tx_bps","net_say ""hi""_rx_bps","net_say ""hi""_tx_bps","net_x\ny_rx_bps",');
    const [fields] = parseCsv(layout.header).records;
    const back = CsvLayout.fromHeader(fields!);
    expect(back?.keys).toEqual(layout.keys);
    expect(back?.header).toBe(layout.header);
  });

  it('refuses headers Vigil does not write', () => {
    expect(CsvLayout.fromHeader(['time', 'unix_ms', 'cpu_percent'])).not.toBeNull();
    expect(CsvLayout.fromHeader(['unix_ms', 'time', 'cpu_percent'])).toBeNull();
    expect(CsvLayout.fromHeader(['time', 'unix_ms', 'cpu_percent', 'cpu_percent'])).toBeNull();
    expect(CsvLayout.fromHeader(['time', 'unix_ms', 'temperature'])).toBeNull();
    expect(CsvLayout.fromHeader(['Date', 'Value'])).toBeNull();
  });

  it('writes a row with ISO local time, unix ms, values in column order and empty cells', () => {
    const layout = CsvLayout.forKeys(['cpu.0', 'net.eth0.rx', 'net.eth0.tx', 'net.wlan0.rx', 'net.wlan0.tx']);
    const ts = Date.UTC(2026, 10, 22, 13, 3, 5);
    const row = layout.formatRow(ts, ['cpu', 'cpu.0', 'mem.total', 'net.wlan0.rx', 'net.wlan0.tx'], [12.3, 45.6, 17179869184, 8000, null]);
    const fields = row.slice(0, -2).split(',');
    expect(row.endsWith('\r\n')).toBe(true);
    expect(fields).toHaveLength(layout.width);
    expect(fields[0]).toMatch(/^2026-11-22T\d\d:\d\d:05[+-]\d\d:\d\d$/);
    expect(new Date(fields[0]!).getTime()).toBe(ts);
    expect(fields.slice(1)).toEqual([String(ts), '12.3', '45.6', '17179869184', '', '', '', '', '', '', '', '', '', '', '8000', '']);
  });

  it('refuses to format a series it has no column for', () => {
    expect(() => CsvLayout.forKeys([]).formatRow(0, ['net.eth0.rx'], [8])).toThrow(/no column/);
  });
});

describe('row time text', () => {
  // formatRowAt keeps the text up to the minute and the offset per minute; it must give
  // formatLocalIso's text for every instant, across DST changes, half-hour zones and a zone whose
  // historical offset has seconds (Monrovia: -00:43:08 in 1900, -00:44:30 until 1972; Dublin:
  // -00:25:21 until 1916).
  const originalTz = process.env.TZ;
  afterAll(() => {
    process.env.TZ = originalTz;
  });
  const cases: Record<string, number[]> = {
    'Europe/Paris': [Date.UTC(2025, 2, 30, 1), Date.UTC(2025, 9, 26, 1)],
    'Australia/Lord_Howe': [Date.UTC(2025, 3, 5, 15), Date.UTC(2025, 9, 4, 15, 30)],
    'Asia/Kathmandu': [Date.UTC(2025, 5, 1)],
    'Africa/Monrovia': [Date.UTC(1900, 5, 1), Date.UTC(1972, 0, 7)],
    'Europe/Dublin': [Date.UTC(1900, 5, 1), Date.UTC(2025, 2, 30, 1)],
    UTC: [Date.UTC(2025, 0, 1), -1_000],
  };
  for (const [zone, instants] of Object.entries(cases)) {
    it(`is formatLocalIso's in ${zone}`, () => {
      process.env.TZ = zone;
      const layout = CsvLayout.forKeys([]);
      const columns = layout.columnsOf([]);
      for (const around of instants) {
        // Every 37.25 s for an hour on both sides of the change, in one layout (its cache carried along).
        for (let ts = around - 3_600_000 - 500; ts <= around + 3_600_000; ts += 37_250) {
          for (const t of [ts, ts + 1, ts + 999]) expect(layout.formatRowAt(t, columns, []).split(',')[0], `${zone} ${t}`).toBe(formatLocalIso(t));
        }
      }
    });
  }
});

describe('time formats', () => {
  const sample = makeSample(new Date(2026, 10, 22, 14, 3, 5, 250).getTime(), { i: 1 });
  const { series, values } = flattenSample(sample);
  const keys = series.map((s) => s.key);
  const timeCell = (format: 'iso' | 'local' | 'unix', ts = sample.ts): string => {
    const row = CsvLayout.forKeys(keys).withTimeFormat(format).formatRow(ts, keys, values);
    return row.slice(0, row.indexOf(','));
  };

  it('keeps milliseconds off the whole second in every format, and shows none on it', () => {
    expect(timeCell('iso')).toBe(formatLocalIso(sample.ts));
    expect(timeCell('local')).toBe('2026-11-22 14:03:05.250');
    expect(timeCell('unix')).toBe(`${(sample.ts - 250) / 1000}.25`);
    const whole = sample.ts - 250;
    expect(timeCell('local', whole)).toBe('2026-11-22 14:03:05');
    expect(timeCell('unix', whole)).toBe(String(whole / 1000));
    expect(timeCell('unix', whole + 7)).toBe(`${whole / 1000}.007`);
  });

  it('changes nothing but the time column', () => {
    const iso = CsvLayout.forKeys(keys).formatRow(sample.ts, keys, values);
    for (const format of ['local', 'unix'] as const) {
      const layout = CsvLayout.forKeys(keys).withTimeFormat(format);
      const row = layout.formatRow(sample.ts, keys, values);
      expect(row.slice(row.indexOf(','))).toBe(iso.slice(iso.indexOf(',')));
      expect(layout.header).toBe(CsvLayout.forKeys(keys).header);
    }
  });
});
