// Adding a metric is one entry in the metric table. Two made-up ones are added here to the table
// itself, where a new metric would go (a machine-wide GPU load after the load average, and a
// per-interface drop rate next to rx and tx), and nothing else changes: they show in the daily
// CSV, in GET /metrics, in the line protocol and in `vigil status`, the hub's ingest accepts them,
// and they survive SQLite and the CSV being read back.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleLines } from '../../../src/agent/format.js';
import { CsvLayout } from '../../../src/core/csv/columns.js';
import { DailyCsvWriter } from '../../../src/core/csv/daily-writer.js';
import { toSample } from '../../../src/core/csv/recover.js';
import { parseCsv } from '../../../src/core/csv/rfc4180.js';
import { samplePoints } from '../../../src/core/metrics-exposition/convention.js';
import { EXPOSITION_CONTENT_TYPE } from '../../../src/core/metrics-exposition/prometheus-text.js';
import { registerMetricsRoute } from '../../../src/core/server/prometheus.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { encodePoints, encodeSampleLines } from '../../../src/core/sync/line-protocol.js';
import { ingestBatchSchema } from '../../../src/shared/hub-api.js';
import type * as TableModule from '../../../src/shared/metrics/table.js';
import type { Sample } from '../../../src/shared/model.js';
import { tempDir } from '../../helpers/tmp.js';
import { hasBinary, promtoolCheckMetrics } from '../../helpers/services.js';

const ADDED = vi.hoisted(() => ({
  gpu: {
    key: 'gpu',
    scope: 'machine',
    at: ['gpu', 'busy'],
    unit: 'percent',
    resolution: 0.1,
    group: 'cpu',
    label: 'GPU',
    csv: { column: 'gpu_percent' },
    prometheus: { name: 'vigil_gpu_usage_ratio', help: 'Busy time of the GPU over the last sampling interval, 0-1.', type: 'gauge' },
    lineProtocol: { measurement: 'vigil_gpu', type: 'float' },
    exportScale: 0.01,
  },
  drops: {
    key: 'net.{iface}.drops',
    scope: 'interface',
    at: 'dropsPerSecond',
    unit: 'packets_per_second',
    resolution: 1,
    missing: 'no previous counter',
    group: 'net',
    label: 'dropped',
    csv: { column: 'net_{iface}_drops_per_s' },
    prometheus: { name: 'vigil_network_drops_per_second', help: 'Packets a network interface dropped per second over the last sampling interval.', type: 'gauge' },
    lineProtocol: { measurement: 'vigil_network', type: 'integer' },
  },
}));

vi.mock('../../../src/shared/metrics/table.js', async (importOriginal) => {
  const { METRIC_TABLE } = await importOriginal<typeof TableModule>();
  const after = (key: string) => METRIC_TABLE.findIndex((entry) => entry.key === key) + 1;
  const table: unknown[] = [...METRIC_TABLE];
  table.splice(after('net.{iface}.tx'), 0, ADDED.drops);
  table.splice(after('load.15'), 0, ADDED.gpu);
  return { METRIC_TABLE: table };
});

const machine = { machineId: '0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b', name: 'web1' };
const ts = new Date(2026, 10, 22, 12, 0, 0).getTime();
const sample = {
  ts,
  cpu: { total: 12.3, cores: [10.1, 14.5] },
  memory: { total: 8 * 1024 ** 3, used: 3 * 1024 ** 3, available: 5 * 1024 ** 3, free: 1024 ** 3, swapTotal: 0, swapUsed: 0 },
  load: { one: 0.52, five: 0.3, fifteen: 0.1 },
  gpu: { busy: 42.5 },
  net: [
    { iface: 'eth0', loopback: false, virtual: false, rxBitsPerSecond: 8000, txBitsPerSecond: 16, dropsPerSecond: 3 },
    { iface: 'lo', loopback: true, virtual: false, rxBitsPerSecond: 64, txBitsPerSecond: 64, dropsPerSecond: null },
  ],
} as unknown as Sample;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('a metric added to the table', () => {
  it('has its columns in the daily CSV, in table order, and reads back from it', () => {
    const dir = tempDir();
    const writer = new DailyCsvWriter({ dir });
    cleanups.push(() => writer.close());
    writer.append(sample);
    const text = fs.readFileSync(writer.currentFile!, 'utf8');
    const [header, row] = parseCsv(text).records;
    expect(header).toEqual([
      'time', 'unix_ms', 'cpu_percent', 'cpu0_percent', 'cpu1_percent',
      'mem_total_bytes', 'mem_used_bytes', 'mem_available_bytes', 'mem_free_bytes', 'swap_total_bytes', 'swap_used_bytes',
      'load1', 'load5', 'load15', 'gpu_percent',
      'net_eth0_rx_bps', 'net_eth0_tx_bps', 'net_eth0_drops_per_s', 'net_lo_rx_bps', 'net_lo_tx_bps', 'net_lo_drops_per_s',
    ]);
    expect(row!.slice(14)).toEqual(['42.5', '8000', '16', '3', '64', '64', '']);

    const layout = CsvLayout.fromHeader(header!)!;
    expect(toSample(row!, layout.keys.map((key) => ({ key, flags: key.startsWith('net.lo.') ? 1 : 0 })))).toEqual(sample);
  });

  it('is stored in SQLite and read back like any other series', () => {
    const store = openSampleStore(path.join(tempDir(), 'vigil.db'));
    cleanups.push(() => store.close());
    store.insertSamples([sample]);
    expect(store.latestSample()).toEqual(sample);
    expect(store.query({ from: ts, to: ts + 1, keys: ['gpu', 'net.eth0.'] }).series.map((s) => [s.key, s.avg[0]])).toEqual([
      ['gpu', 42.5],
      ['net.eth0.rx', 8000],
      ['net.eth0.tx', 16],
      ['net.eth0.drops', 3],
    ]);
  });

  it('is exposed on GET /metrics with its HELP and TYPE, in its unit outside Vigil', async () => {
    const app = Fastify();
    cleanups.push(() => void app.close());
    registerMetricsRoute(app, () => [{ machine, sample }]);
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(EXPOSITION_CONTENT_TYPE);
    const text = response.body;
    expect(text).toContain(
      '# HELP vigil_gpu_usage_ratio Busy time of the GPU over the last sampling interval, 0-1.\n# TYPE vigil_gpu_usage_ratio gauge\n' +
        'vigil_gpu_usage_ratio{host="web1",machine_id="0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b"} 0.425\n',
    );
    // lo dropped nothing measurable this tick (null): no sample for it, rather than a made-up 0.
    expect(text).toContain(
      '# TYPE vigil_network_drops_per_second gauge\nvigil_network_drops_per_second{device="eth0",host="web1",kind="physical",machine_id="0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b"} 3\n# HELP',
    );
    // Families in table order: the GPU after the load average, the drops after the transmit rate.
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(names.indexOf('vigil_gpu_usage_ratio')).toBe(names.indexOf('vigil_system_load15') + 1);
    expect(names.indexOf('vigil_network_drops_per_second')).toBe(names.indexOf('vigil_network_transmit_bytes_per_second') + 1);
    if (hasBinary('promtool')) expect(promtoolCheckMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it('is written in the line protocol, as a field of its measurement', () => {
    const lines = encodeSampleLines(sample, machine).split('\n');
    const tags = 'host=web1,machine_id=0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
    expect(lines).toContain(`vigil_gpu,${tags} usage_ratio=0.425 ${ts}`);
    expect(lines).toContain(`vigil_network,device=eth0,${tags.replace(',', ',kind=physical,')} receive_bytes_per_second=1000i,transmit_bytes_per_second=2i,drops_per_second=3i ${ts}`);
    expect(lines).toContain(`vigil_network,device=lo,${tags.replace(',', ',kind=loopback,')} receive_bytes_per_second=8i,transmit_bytes_per_second=8i ${ts}`);
    expect(encodeSampleLines(sample, machine)).toBe(encodePoints(samplePoints(sample, machine)));
  });

  it('is printed by vigil status and vigil watch', () => {
    const lines = sampleLines(sample);
    expect(lines[lines.indexOf('Load     0.52  0.30  0.10   (1, 5, 15 min)') + 1]).toBe('GPU      42.5 %');
    expect(lines.slice(-3)).toEqual([
      'Network  interface             in            out        dropped',
      '         eth0        8.00 kbit/s     16.0 bit/s              3',
      '         lo           64.0 bit/s     64.0 bit/s              – (loopback)',
    ]);
  });

  it('is part of what the hub accepts, within the bounds of its unit', () => {
    const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, allowUnionTypes: true, strict: true });
    const valid = ajv.compile(ingestBatchSchema.properties.samples.items);
    expect(valid(sample)).toBe(true);
    expect(valid({ ...sample, gpu: { busy: 100.1 } })).toBe(false);
    expect(valid({ ...sample, gpu: undefined })).toBe(false);
  });
});
