// The hub fuzz run of tests/hub/fuzz.test.ts, longer: many hostile requests against a real
// `vigil hub`, printing the answers by status, the rate, the hub's memory over the run, and
// checking that nothing was stored and that the hub still takes a good batch afterwards.
//   npm run build && npx tsx bench/hub-fuzz.ts [--count 50000] [--concurrency 16] [--oversized 20]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { httpRequest } from '../src/core/http-client.js';
import { MachineRegistry } from '../src/hub/registry.js';
import { makeBatch, recentSamples } from '../tests/hub/batches.js';
import { hostileRequests } from '../tests/hub/hostile.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const COUNT = flag('count', 50_000);
const CONCURRENCY = flag('concurrency', 16);
const OVERSIZED = flag('oversized', 20);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-fuzz-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ hub: { sampleSelf: false } }));
  const registry = new MachineRegistry(path.join(dir, 'hub.db'));
  const { machine, token } = registry.add('target');
  registry.close();
  const child = spawn(path.resolve('bin/vigil.js'), ['hub', '--data-dir', dir, '--port', '0', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  while (!/Vigil hub: (\S+)\//.test(out)) {
    if (child.exitCode !== null) throw new Error(`hub did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /Vigil hub: (\S+)\//.exec(out)![1]!;
  const rss = async () => (await httpRequest({ url: `${url}/api/hub?units=MB` })).json<{ memory: { processRss: number } }>().memory.processRss;

  const valid = makeBatch(recentSamples(30, 99));
  const requests = hostileRequests({ seed: Date.now() % 100_000, count: COUNT, token, valid, oversized: OVERSIZED });
  const statuses = new Map<string, number>();
  const unexpected: string[] = [];
  const memory: number[] = [await rss()];
  const memoryTimer = setInterval(() => void rss().then((v) => memory.push(v), () => undefined), 1000);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        let status: string;
        try {
          const response = await httpRequest({ url: `${url}/api/ingest`, method: 'POST', headers: request.headers, body: request.body, timeoutMs: 30_000 });
          status = String(response.status);
          if (response.status < 400 || response.status >= 500) unexpected.push(`${request.kind}: ${response.status} ${response.text().slice(0, 120)}`);
        } catch (error) {
          status = request.kind === 'oversized' ? 'reset (oversized)' : 'error';
          if (request.kind !== 'oversized') unexpected.push(`${request.kind}: ${String(error)}`);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(memoryTimer);
  memory.push(await rss());
  const info = (await httpRequest({ url: `${url}/api/machines/${machine.id}` })).json<{ lastSampleTs: number | null }>();
  const good = await httpRequest({ url: `${url}/api/ingest`, method: 'POST', body: JSON.stringify(valid), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.kill('SIGTERM');
  });
  fs.rmSync(dir, { recursive: true, force: true });

  console.log(`${requests.length} hostile requests in ${seconds.toFixed(1)} s (${(requests.length / seconds).toFixed(0)}/s, ${CONCURRENCY} at a time)`);
  console.log(`answers         ${[...statuses].sort().map(([s, n]) => `${s}: ${n}`).join(' · ')}`);
  console.log(`not a 4xx       ${unexpected.length}${unexpected.length ? ` (${unexpected.slice(0, 3).join('; ')})` : ''}`);
  console.log(`hub RSS         start ${memory[0]!.toFixed(0)} MB, max ${Math.max(...memory).toFixed(0)} MB, end ${memory.at(-1)!.toFixed(0)} MB`);
  console.log(`stored          ${info.lastSampleTs === null ? 'nothing' : 'SOMETHING (bug)'}; a good batch afterwards: HTTP ${good.status}`);
  if (unexpected.length > 0 || info.lastSampleTs !== null || good.status !== 200) process.exitCode = 1;
}

await main();
