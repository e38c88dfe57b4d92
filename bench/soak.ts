// Memory over time: does the agent stay flat for hours?
//
//   npx tsx bench/soak.ts [HOURS=8]            the engine fast-forwarded through HOURS of 1 s ticks
//   npx tsx bench/soak.ts --real MINUTES       a real `vigil agent` at 1 s, its RSS every minute
//
// Fast-forward: the real engine (the Linux /proc readers, SQLite, the daily CSV, retention, the
// disk and host checks) on a fake clock, so 8 hours of ticks take minutes. It runs in a child
// Node with the agent's own V8 flags (package.json "agent": --no-opt --no-maglev --no-sparkplug --max-semi-space-size=1)
// and prints, per simulated hour, RSS, V8's heap, and what lies outside V8's heap (malloc: SQLite's
// cache, buffers) — the part a leak in native code would grow.
// --real: the real process on the real clock; slower, but nothing simulated.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;
const args = process.argv.slice(2);
const here = fileURLToPath(import.meta.url);

function rssOf(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function real(minutes: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-soak-'));
  const agent = spawn(process.execPath, ['--no-opt', '--no-maglev', '--no-sparkplug', '--max-semi-space-size=1', path.resolve('bin/vigil.js'), 'agent', '--data-dir', dataDir, '--log-level', 'warn'], { stdio: 'ignore' });
  console.log(`real agent (pid ${agent.pid}) at 1 s for ${minutes} min; RSS every minute`);
  console.log('minute  RSS MB');
  const first = Date.now();
  try {
    for (let minute = 0; minute <= minutes; minute++) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, first + minute * 60_000 + 2_000 - Date.now())));
      const rss = rssOf(agent.pid!);
      if (rss === null) throw new Error('the agent exited');
      console.log(`${String(minute).padStart(6)}  ${(rss / MB).toFixed(1)}`);
    }
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function fastForward(hours: number): Promise<void> {
  const { Engine } = await import('../src/core/engine.js');
  const { defaultSettings } = await import('../src/shared/settings.js');
  const { FakeClock } = await import('../tests/helpers/fake-clock.js');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-soak-'));
  // Wall time starts at a local midnight so each day's CSV file is written whole.
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const clock = new FakeClock({ wall: midnight.getTime() });
  const engine = await Engine.start({ dataDir, settings: defaultSettings(), clock, role: 'soak' });
  const row = (hour: number) => {
    const m = process.memoryUsage();
    const outside = m.rss - m.heapTotal;
    return `${String(hour).padStart(4)}  ${(m.rss / MB).toFixed(1).padStart(6)}  ${(m.heapUsed / MB).toFixed(1).padStart(9)}  ${(m.heapTotal / MB).toFixed(1).padStart(10)}  ${(outside / MB).toFixed(1).padStart(14)}`;
  };
  console.log(`engine fast-forwarded through ${hours} h of 1 s ticks (real /proc readers, SQLite, CSV), node ${process.execArgv.join(' ')}`);
  console.log('hour  RSS MB  heap used  heap total  outside V8 heap');
  const started = Date.now();
  try {
    for (let hour = 0; hour <= hours; hour++) {
      if (hour > 0) {
        for (let minute = 0; minute < 60; minute++) await clock.advance(60_000);
      }
      globalThis.gc?.();
      console.log(row(hour));
    }
    const stored = engine.store.countSamples(midnight.getTime(), clock.now() + 1);
    const csvBytes = fs.readdirSync(engine.paths.telemetry).reduce((sum, f) => sum + fs.statSync(path.join(engine.paths.telemetry, f)).size, 0);
    console.log(`${stored} samples stored (${hours * 3600} ticks), ${(csvBytes / MB).toFixed(1)} MB of CSV; ${((Date.now() - started) / 1000).toFixed(0)} s of real time`);
  } finally {
    await engine.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (args[0] === '--real') {
  await real(Number(args[1] ?? 90));
} else if (process.env.VIGIL_SOAK_CHILD) {
  await fastForward(Number(args[0] ?? 8));
} else {
  // Re-run in a Node with the agent's V8 flags (and gc exposed, so each figure is after a collection).
  const child = spawnSync(process.execPath, ['--no-opt', '--no-maglev', '--no-sparkplug', '--max-semi-space-size=1', '--expose-gc', '--import', 'tsx', here, ...args], {
    stdio: 'inherit',
    env: { ...process.env, VIGIL_SOAK_CHILD: '1' },
  });
  process.exitCode = child.status ?? 1;
}
