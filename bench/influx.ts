// Line protocol: what encoding costs the agent, and how fast InfluxDB 1.6 and VictoriaMetrics take
// a backfill through InfluxTarget (500-sample batches, one at a time, as the sync service sends).
//   npx tsx bench/influx.ts [samples]     (default 86,400: a day at 1 s; 8 cores, 4 interfaces)
// Needs the Debian packages influxdb and victoria-metrics. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { InfluxTarget } from '../src/core/sync/influx-target.js';
import type { SyncBatch } from '../src/core/sync/types.js';
import type { Sample } from '../src/shared/model.js';
import { randomSamples } from '../tests/helpers/random.js';
import { hasBinary, startInfluxDB, startVictoriaMetrics } from '../tests/helpers/services.js';

const count = Number(process.argv[2] ?? 86_400);
const encodeOnly = process.argv.includes('--encode-only');
const BATCH = 500;
const from = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
const samples = randomSamples(from, count, 1000, 1, {
  cores: 8,
  ifaces: [{ name: 'eth0' }, { name: 'wlan0' }, { name: 'lo', loopback: true }, { name: 'docker0', virtual: true }],
});

function batches(list: Sample[]): SyncBatch[] {
  const out: SyncBatch[] = [];
  for (let i = 0; i < list.length; i += BATCH) {
    const slice = list.slice(i, i + BATCH);
    out.push({
      machine: { id: '0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b', name: 'bench-host' },
      agent: { state: 'running', intervalSeconds: 1, syncIntervalSeconds: 10, version: 'bench', healthUrl: null },
      fromTs: slice[0]!.ts - 1,
      toTs: slice.at(-1)!.ts,
      samples: slice,
      disks: [],
      hosts: [],
    });
  }
  return out;
}

const all = batches(samples);
const encoder = new InfluxTarget({ url: 'http://127.0.0.1:1', db: 'bench' });

function measureEncode(): { usPerSample: number; lines: number; values: number; bytes: number } {
  let lines = 0;
  let values = 0;
  let bytes = 0;
  // One warm-up pass, then the measured one.
  for (const batch of all.slice(0, 10)) encoder.encode(batch);
  const start = process.hrtime.bigint();
  for (const batch of all) {
    const text = encoder.encode(batch);
    bytes += text.length;
    for (const line of text.split('\n')) {
      if (!line) continue;
      lines++;
      values += line.split(' ')[1]!.split(',').length;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { usPerSample: (seconds * 1e6) / samples.length, lines, values, bytes };
}

if (encodeOnly) {
  console.log(JSON.stringify(measureEncode()));
} else {
  const jit = measureEncode();
  const lite = spawnSync(process.execPath, ['--no-opt', '--no-maglev', '--no-sparkplug', '--max-semi-space-size=1', '--import', 'tsx', 'bench/influx.ts', String(count), '--encode-only'], { encoding: 'utf8' });
  const liteResult = JSON.parse(lite.stdout.trim().split('\n').at(-1)!) as { usPerSample: number };
  console.log(`${samples.length} samples → ${jit.lines} lines, ${jit.values} values, ${(jit.bytes / 1e6).toFixed(1)} MB of line protocol (${(jit.bytes / samples.length).toFixed(0)} B/sample)`);
  console.log(`encode: ${jit.usPerSample.toFixed(1)} µs/sample (JIT), ${liteResult.usPerSample.toFixed(1)} µs/sample (the agent's V8 flags)`);

  const targets: [string, () => Promise<{ url: string; stop(): Promise<void>; db?: string }>][] = [];
  if (hasBinary('influxd')) targets.push(['InfluxDB 1.6', async () => ({ ...(await startInfluxDB({ databases: ['bench'] })), db: 'bench' })]);
  if (hasBinary('victoria-metrics')) targets.push(['VictoriaMetrics 1.79', async () => await startVictoriaMetrics()]);
  for (const [name, start] of targets) {
    const server = await start();
    try {
      const target = new InfluxTarget({ url: server.url, db: server.db });
      const signal = new AbortController().signal;
      const begin = process.hrtime.bigint();
      for (const batch of all) await target.send(batch, signal);
      const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
      console.log(
        `${name}: ${seconds.toFixed(2)} s for ${all.length} batches → ${Math.round(samples.length / seconds).toLocaleString('en')} samples/s, ` +
          `${Math.round(jit.values / seconds).toLocaleString('en')} values/s (encode + gzip + HTTP + server, one batch in flight)`,
      );
    } finally {
      await server.stop();
    }
  }
}
