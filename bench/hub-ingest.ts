// Hub ingest rate (values/s) from batched agents, side by side with VictoriaMetrics ingesting the
// same samples as line protocol, in the same run, on the same machine.
//   npm run build && npx tsx bench/hub-ingest.ts [--agents 8] [--samples 7200] [--batch 500] [--rounds 2]
// Each simulated agent backfills `samples` samples (8 cores, 4 interfaces: 26 values each) in
// batches of `batch`, one request at a time, all agents at once — what a fleet reconnecting after
// an outage does. Bodies are encoded (and gzipped, as the real agent and influx target do) before
// the clock starts, so the figures are the servers' own; each agent's first batch is a warm-up
// (untimed), so they are steady-state rates. The hub is the real `vigil hub` process
// (bin/vigil.js), run twice per round: with hub.durability "normal" its ack means the samples are
// committed to SQLite (synchronous=NORMAL: acknowledged, not fsynced), with "full" committed and
// fsynced (synchronous=FULL). VictoriaMetrics acks once the rows are in its in-memory buffer; the
// "+flush" figure includes making them durable and searchable. Also prints each server's CPU time (values per CPU-second is the steadier figure on
// a busy machine). Needs the Debian package victoria-metrics.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import { encodeSampleLines } from '../src/core/sync/line-protocol.js';
import type { SyncBatch } from '../src/core/sync/types.js';
import { openSampleStore } from '../src/core/storage/sample-store.js';
import { MachineRegistry } from '../src/hub/registry.js';
import { flattenSample } from '../src/shared/series.js';
import type { HubDurability } from '../src/shared/settings.js';
import { randomSamples } from '../tests/helpers/random.js';
import { hasBinary, startVictoriaMetrics } from '../tests/helpers/services.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const AGENTS = flag('agents', 8);
const SAMPLES = flag('samples', 7200);
const BATCH = flag('batch', 500);
const ROUNDS = flag('rounds', 2);
const SHAPE = { cores: 8, ifaces: [{ name: 'eth0' }, { name: 'wlan0' }, { name: 'lo', loopback: true }, { name: 'docker0', virtual: true }] };

interface Request {
  body: Buffer;
  headers: Record<string, string>;
}

const agentHttp = new http.Agent({ keepAlive: true, maxSockets: 256 });
function post(url: string, request: Request): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: agentHttp, headers: { ...request.headers, 'content-length': String(request.body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs every agent's requests, each agent one at a time, all agents concurrently. Each agent's
 * first request goes before the clock starts (warm-up: JIT, new series, new databases), so the
 * figures are the steady state; `timedShare` is the part of the values that was timed.
 */
async function drive(url: (agent: number) => string, requests: Request[][]): Promise<number> {
  await Promise.all(
    requests.map(async (list, agent) => {
      const status = await post(url(agent), list[0]!);
      if (status >= 300) throw new Error(`${url(agent)}: HTTP ${status}`);
    }),
  );
  const started = performance.now();
  await Promise.all(
    requests.map(async (list, agent) => {
      for (const request of list.slice(1)) {
        const status = await post(url(agent), request);
        if (status >= 300) throw new Error(`${url(agent)}: HTTP ${status}`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function startHub(dir: string, durability: HubDurability): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ hub: { sampleSelf: false, durability } }));
  const child = spawn(path.resolve('bin/vigil.js'), ['hub', '--data-dir', dir, '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk));
  const deadline = Date.now() + 20_000;
  while (!/Vigil hub: (\S+)\//.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`hub did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // `vigil hub` serves from a child Node (with the optimizing compilers): measure that one.
  const server = fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .find((p) => {
      try {
        return Number(fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === child.pid;
      } catch {
        return false;
      }
    });
  return {
    url: /Vigil hub: (\S+)\//.exec(out)![1]!,
    pid: Number(server ?? child.pid),
    stop: () =>
      new Promise((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function main(): Promise<void> {
  if (!fs.existsSync('dist/agent/main.js')) throw new Error('run npm run build first');
  const end = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const start = end - SAMPLES * 1000;
  const valuesPerSample = flattenSample(randomSamples(start, 1, 1000, 1, SHAPE)[0]!).values.length;
  const totalValues = AGENTS * SAMPLES * valuesPerSample;
  // Values in the timed requests (each agent's first batch is the untimed warm-up).
  const timedValues = AGENTS * (SAMPLES - Math.min(BATCH, SAMPLES)) * valuesPerSample;
  if (timedValues <= 0) throw new Error('--samples must be larger than --batch');
  console.log(`${AGENTS} agents × ${SAMPLES} samples × ${valuesPerSample} values = ${(totalValues / 1e6).toFixed(2)} M values, batches of ${BATCH}, gzip; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`);

  const agentIds = Array.from({ length: AGENTS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const samples = agentIds.map((_, i) => randomSamples(start, SAMPLES, 1000, 100 + i, SHAPE));

  /** One run of the real hub over every agent's batches; checks that every sample was stored. */
  async function runHub(durability: HubDurability): Promise<{ seconds: number; cpu: number }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-hub-'));
    const registry = new MachineRegistry(path.join(dir, 'hub.db'));
    const tokens = agentIds.map((_, i) => registry.add(`agent-${i}`));
    registry.close();
    const hubRequests = samples.map((list, agent) => {
      const out: Request[] = [];
      for (let i = 0; i < list.length; i += BATCH) {
        const slice = list.slice(i, i + BATCH);
        const batch: SyncBatch = {
          machine: { id: agentIds[agent]!, name: `agent-${agent}` },
          agent: { state: 'running', intervalSeconds: 1, syncIntervalSeconds: 10, version: 'bench', healthUrl: null },
          fromTs: slice[0]!.ts - 1,
          toTs: slice.at(-1)!.ts,
          samples: slice,
          disks: [],
          hosts: [],
        };
        out.push({
          body: gzipSync(JSON.stringify(batch)),
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${tokens[agent]!.token}` },
        });
      }
      return out;
    });
    const hub = await startHub(dir, durability);
    const cpu0 = cpuSeconds(hub.pid);
    const seconds = await drive(() => `${hub.url}/api/ingest`, hubRequests);
    const cpu = cpuSeconds(hub.pid) - cpu0;
    await hub.stop();
    let stored = 0;
    for (const { machine } of tokens) {
      const store = openSampleStore(path.join(dir, 'machines', `${machine.id}.db`), { readonly: true });
      stored += store.countSamples(0, Date.now());
      store.close();
    }
    if (stored !== AGENTS * SAMPLES) throw new Error(`hub (${durability}) stored ${stored} samples, expected ${AGENTS * SAMPLES}`);
    fs.rmSync(dir, { recursive: true, force: true });
    return { seconds, cpu };
  }

  const rows: string[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // ------------------------------------------------------------ hub, not fsynced and fsynced
    const hubRuns = { normal: await runHub('normal'), full: await runHub('full') };

    // ------------------------------------------------------------ VictoriaMetrics
    let vmRow: string[] = ['VictoriaMetrics', 'not installed', '', '', '', ''];
    if (hasBinary('victoria-metrics')) {
      const vmRequests = samples.map((list, agent) => {
        const out: Request[] = [];
        const labels = { machineId: agentIds[agent]!, name: `agent-${agent}` };
        for (let i = 0; i < list.length; i += BATCH) {
          let text = '';
          for (const sample of list.slice(i, i + BATCH)) text += encodeSampleLines(sample, labels);
          out.push({ body: gzipSync(text), headers: { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip' } });
        }
        return out;
      });
      const vm = await startVictoriaMetrics();
      const pid = Number(fs.readdirSync('/proc').find((p) => /^\d+$/.test(p) && fs.existsSync(`/proc/${p}/cmdline`) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(vm.dir)) ?? 0);
      const vmCpu0 = pid ? cpuSeconds(pid) : 0;
      const vmSeconds = await drive(() => `${vm.url}/write?db=bench&precision=ms`, vmRequests);
      const flushStarted = performance.now();
      await vm.flush();
      const flushSeconds = (performance.now() - flushStarted) / 1000;
      const vmCpu = pid ? cpuSeconds(pid) - vmCpu0 : NaN;
      const counted = await vm.query('sum(count_over_time(vigil_cpu_usage_ratio[100d]))', end);
      await vm.stop();
      const cpuPoints = Number(counted[0]?.value[1] ?? 0);
      if (cpuPoints !== AGENTS * SAMPLES) console.log(`  (VictoriaMetrics holds ${cpuPoints} CPU points, expected ${AGENTS * SAMPLES})`);
      vmRow = [
        'VictoriaMetrics (line protocol /write)',
        fmt(timedValues / vmSeconds),
        fmt(timedValues / (vmSeconds + flushSeconds)),
        `${vmSeconds.toFixed(2)} s (+${(flushSeconds * 1000).toFixed(0)} ms flush)`,
        `${vmCpu.toFixed(2)} s`,
        fmt(totalValues / vmCpu),
      ];
    }
    const hubRow = (durability: HubDurability, label: string) => {
      const { seconds, cpu } = hubRuns[durability];
      // Only a fsynced commit is durable when acknowledged: NORMAL's figure goes in the acked column alone.
      const durable = durability === 'full' ? fmt(timedValues / seconds) : '(not fsynced)';
      return [`${round}`, label, fmt(timedValues / seconds), durable, `${seconds.toFixed(2)} s`, `${cpu.toFixed(2)} s`, fmt(totalValues / cpu)];
    };
    rows.push(
      hubRow('normal', 'Vigil hub, durability normal (acknowledged, not fsynced)'),
      hubRow('full', 'Vigil hub, durability full (fsynced)'),
      [`${round}`, ...vmRow],
    );
    const vmRate = vmRow[1] ? timedValues / Number(vmRow[3]!.split(' ')[0]) : NaN;
    const ratio = (durability: HubDurability) => (timedValues / hubRuns[durability].seconds / vmRate).toFixed(2);
    console.log(
      `round ${round}: hub normal ${fmt(timedValues / hubRuns.normal.seconds)} values/s, hub full ${fmt(timedValues / hubRuns.full.seconds)} values/s, VictoriaMetrics ${vmRow[1]} values/s → hub/VM = ${ratio('normal')} (normal), ${ratio('full')} (full)`,
    );
  }
  console.log('');
  console.log(table(['round', 'server', 'values/s (acked)', 'values/s (durable)', 'wall', 'server CPU', 'values per CPU-s'], rows));
  agentHttp.destroy();
}

function fmt(rate: number): string {
  return rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : `${(rate / 1e3).toFixed(0)} k`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

await main();
