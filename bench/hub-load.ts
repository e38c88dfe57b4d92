// A fleet reporting live: N simulated agents each POST one sample a second to a real `vigil hub`
// (bin/vigil.js, sampling its own machine too), for a while. Prints ingest latency (p50/p90/p99/
// max), errors, the hub's CPU and memory, and checks every sample was stored exactly once.
//   npm run build && npx tsx bench/hub-load.ts [--agents 1000] [--duration 180] [--every 1] [--samples 1]
// --duration is in seconds (default 180: "a few minutes", as the issue asks). --every: seconds between
// an agent's requests; --samples: samples per request (a real agent sends every sync.intervalSeconds,
// 10 s by default, with the samples of that time). Agents start at random phases within the first
// interval, each on its own keep-alive connection, as independent machines would. HUB_PROFILE=1
// runs the hub with --cpu-prof (profile in /tmp/prof).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { SyncBatch } from '../src/core/sync/types.js';
import { openSampleStore } from '../src/core/storage/sample-store.js';
import { MachineRegistry } from '../src/hub/registry.js';
import { randomSample, seededRandom } from '../tests/helpers/random.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number, got ${process.argv[i + 1] ?? 'nothing'}`);
    process.exit(2);
  }
  return value;
}
const AGENTS = flag('agents', 1000);
const DURATION_S = flag('duration', 180);
const EVERY_S = flag('every', 1);
const PER_REQUEST = flag('samples', 1);

function procStat(pid: number): { cpu: number; rssMb: number } {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { cpu: (Number(fields[11]) + Number(fields[12])) / 100, rssMb: (Number(fields[21]) * 4096) / 1024 / 1024 };
}

function childOf(pid: number): number {
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (Number(fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid) return Number(p);
    } catch {
      // Gone meanwhile.
    }
  }
  return pid;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  if (!fs.existsSync('dist/agent/main.js')) throw new Error('run npm run build first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-load-'));
  const registry = new MachineRegistry(path.join(dir, 'hub.db'));
  const machines = Array.from({ length: AGENTS }, (_, i) => ({ ...registry.add(`agent-${i}`), agentId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
  registry.close();

  const child = process.env.HUB_PROFILE
    ? spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', 'dist/agent/main.js', 'hub', '--data-dir', dir, '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIGIL_HUB_CHILD: '1' } })
    : spawn(path.resolve('bin/vigil.js'), ['hub', '--data-dir', dir, '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk));
  while (!/Vigil hub: (\S+)\//.test(out)) {
    if (child.exitCode !== null) throw new Error(`hub did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = new URL(`${/Vigil hub: (\S+)\//.exec(out)![1]!}/api/ingest`);
  const serverPid = childOf(child.pid!);
  console.log(`${AGENTS} agents, one request every ${EVERY_S} s with ${PER_REQUEST} sample(s), for ${DURATION_S} s; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}; hub pid ${serverPid}`);

  const latencies: number[] = [];
  const errors: string[] = [];
  let sent = 0;
  const random = seededRandom(7);
  const connection = new http.Agent({ keepAlive: true, maxSockets: AGENTS + 10 });

  const post = (body: string, token: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'POST', agent: connection, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });

  // First contact (untimed): each machine's first batch creates its database on the hub, a
  // one-time cost; 50 machines at a time, as a fleet coming up would spread itself anyway.
  const firstContactStarted = performance.now();
  const rands = machines.map((_, agent) => seededRandom(1000 + agent));
  const lastTs = machines.map(() => Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  for (let i = 0; i < machines.length; i += 50) {
    await Promise.all(
      machines.slice(i, i + 50).map(async (m, k) => {
        const agent = i + k;
        const sample = randomSample((lastTs[agent]! += 1000), rands[agent]!);
        const batch: SyncBatch = {
          machine: { id: m.agentId, name: m.machine.name },
          agent: { state: 'running', intervalSeconds: 1, syncIntervalSeconds: EVERY_S, version: 'bench', healthUrl: null },
          fromTs: sample.ts - 1,
          toTs: sample.ts,
          samples: [sample],
          disks: [],
          hosts: [],
        };
        const status = await post(JSON.stringify(batch), m.token);
        if (status !== 200) throw new Error(`first contact: HTTP ${status}`);
        sent++;
      }),
    );
  }
  const firstContactSeconds = (performance.now() - firstContactStarted) / 1000;

  const stopAt = Date.now() + DURATION_S * 1000;
  const startStat = procStat(serverPid);
  const rssSamples: number[] = [];
  const rssTimer = setInterval(() => rssSamples.push(procStat(serverPid).rssMb), 1000);
  await Promise.all(
    machines.map(async (m, agent) => {
      const rand = rands[agent]!;
      // A random phase within the first interval, then every EVERY_S seconds.
      await new Promise((r) => setTimeout(r, random() * EVERY_S * 1000));
      let last = lastTs[agent]!;
      while (Date.now() < stopAt) {
        const due = Date.now();
        const samples = [];
        for (let i = 0; i < PER_REQUEST; i++) samples.push(randomSample((last += 1000), rand));
        const batch: SyncBatch = {
          machine: { id: m.agentId, name: m.machine.name },
          agent: { state: 'running', intervalSeconds: 1, syncIntervalSeconds: EVERY_S, version: 'bench', healthUrl: null },
          fromTs: samples[0]!.ts - 1,
          toTs: samples.at(-1)!.ts,
          samples,
          disks: [],
          hosts: [],
        };
        const started = performance.now();
        try {
          const status = await post(JSON.stringify(batch), m.token);
          if (status === 200) latencies.push(performance.now() - started);
          else errors.push(`HTTP ${status}`);
        } catch (error) {
          errors.push(String(error));
        }
        sent += PER_REQUEST;
        const wait = due + EVERY_S * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }),
  );
  clearInterval(rssTimer);
  const endStat = procStat(serverPid);
  connection.destroy();
  await new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.kill('SIGTERM');
  });

  let stored = 0;
  for (const m of machines) {
    const file = path.join(dir, 'machines', `${m.machine.id}.db`);
    if (!fs.existsSync(file)) continue;
    const store = openSampleStore(file, { readonly: true });
    stored += store.countSamples(0, Date.now() + 86_400_000);
    store.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const sorted = [...latencies].sort((a, b) => a - b);
  const requests = latencies.length + errors.length;
  console.log('');
  console.log(`first contact   ${AGENTS} new machines in ${firstContactSeconds.toFixed(1)} s (untimed below)`);
  console.log(`requests        ${requests} (${(requests / DURATION_S).toFixed(0)}/s), ${errors.length} errors${errors.length ? `: ${[...new Set(errors)].slice(0, 3).join('; ')}` : ''}`);
  console.log(`latency         p50 ${percentile(sorted, 50).toFixed(1)} ms · p90 ${percentile(sorted, 90).toFixed(1)} ms · p99 ${percentile(sorted, 99).toFixed(1)} ms · max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`);
  console.log(`hub CPU         ${(((endStat.cpu - startStat.cpu) / DURATION_S) * 100).toFixed(1)} % of one core`);
  console.log(`hub RSS         ${Math.min(...rssSamples).toFixed(0)}–${Math.max(...rssSamples).toFixed(0)} MB`);
  console.log(`stored          ${stored} of ${sent} samples sent ${stored === sent ? '(all, once)' : '(MISMATCH)'}`);
  if (errors.length > 0 || stored !== sent) process.exitCode = 1;
}

await main();
