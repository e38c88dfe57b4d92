// What one `vigil top` costs, next to `ps aux --sort=-%cpu` (and systeminformation's processes(),
// what macOS and Windows use) in the same run. Prints figures; asserts nothing.
//
//   npm run build && npx tsx bench/top.ts [--calls 20]
//
// - in-process: the Linux lister as a UI polling it would use it (a kept lister, CPU % since the
//   previous call): CPU time and wall time per call, without the first call's 500 ms window;
// - the whole command: `node bin/vigil.js top --json` (the real launcher and its V8 flags) and
//   `ps aux --sort=-%cpu`, each run --calls times; CPU is the children's user + system time from
//   /proc/self/stat (cutime, cstime: every waited-for child's CPU lands there), wall includes the
//   process start — and, for vigil, its 500 ms measuring window (ps reports lifetime averages,
//   which need no window; that is why its %CPU of a process that just turned busy is low);
// - systeminformation's processes() in-process: its own CPU plus the CPU of what it spawns, and
//   how many processes that is (from /proc/stat's fork counter, machine-wide: the floor is
//   measured first).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createLinuxProcessLister } from '../src/core/metrics/processes.js';

const args = process.argv.slice(2);
const callsArg = args.indexOf('--calls');
const CALLS = callsArg >= 0 ? Number(args[callsArg + 1]) : 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const USER_HZ = 100;

/** CPU seconds of this process's waited-for children so far (cutime + cstime). */
function childrenCpu(): number {
  const text = fs.readFileSync('/proc/self/stat', 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / USER_HZ;
}

function forks(): number {
  return Number(/^processes (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'latin1'))![1]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

async function inProcess(): Promise<{ cpuMs: number; wallMs: number; processes: number }> {
  const lister = createLinuxProcessLister();
  await lister.list(); // the first call: two readings 500 ms apart
  const cpu: number[] = [];
  const wall: number[] = [];
  let processes = 0;
  for (let i = 0; i < CALLS; i++) {
    await sleep(250); // a UI polling: past the 200 ms minimum window, so nothing waits inside
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const list = await lister.list({ limit: 15 });
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    processes = list.total;
  }
  return { cpuMs: median(cpu), wallMs: median(wall), processes };
}

function command(file: string, argv: string[]): { cpuMs: number; wallMs: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const c0 = childrenCpu();
    const t0 = performance.now();
    const run = spawnSync(file, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
    wall.push(performance.now() - t0);
    cpu.push((childrenCpu() - c0) * 1000);
    if (run.status !== 0) throw new Error(`${file} ${argv.join(' ')} exited ${run.status}`);
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

async function systemInformation(): Promise<{ cpuMs: number; wallMs: number; spawns: number }> {
  const si = (await import('systeminformation')).default;
  await si.processes();
  const cpu: number[] = [];
  const wall: number[] = [];
  const spawns: number[] = [];
  const calls = Math.min(CALLS, 10);
  // The machine's fork rate without us (per ms), as the floor.
  const f0 = forks();
  await sleep(3000);
  const floorPerMs = (forks() - f0) / 3000;
  for (let i = 0; i < calls; i++) {
    await sleep(1200); // past systeminformation's ~1 s cache
    const f = forks();
    const c0 = process.cpuUsage();
    const cc0 = childrenCpu();
    const t0 = performance.now();
    await si.processes();
    const ms = performance.now() - t0;
    wall.push(ms);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 + (childrenCpu() - cc0) * 1000);
    spawns.push(forks() - f - floorPerMs * ms);
  }
  return { cpuMs: median(cpu), wallMs: median(wall), spawns: Math.max(0, Math.round(median(spawns))) };
}

if (process.platform !== 'linux') {
  console.log('bench/top.ts measures the Linux /proc path; run it on Linux.');
  process.exit(0);
}
if (!fs.existsSync('dist/agent/main.js')) {
  console.log('Run `npm run build` first (the command runs from dist/).');
  process.exit(1);
}

const lister = await inProcess();
const vigil = command(process.execPath, ['--no-opt', '--no-maglev', '--no-sparkplug', '--max-semi-space-size=1', 'bin/vigil.js', 'top', '--json']);
const startup = command(process.execPath, ['--no-opt', '--no-maglev', '--no-sparkplug', '--max-semi-space-size=1', 'bin/vigil.js', '--version']);
const ps = command('ps', ['aux', '--sort=-%cpu']);
const sys = await systemInformation();

console.log(`top processes, ${lister.processes} processes on this machine, median of ${CALLS} calls`);
console.log('');
console.log('what                                          CPU ms/call   wall ms/call   spawns');
console.log(`in-process lister (kept, since last call)     ${fmt(lister.cpuMs).padStart(11)}   ${fmt(lister.wallMs).padStart(12)}        0`);
console.log(`vigil top --json (whole command)              ${fmt(vigil.cpuMs).padStart(11)}   ${fmt(vigil.wallMs).padStart(12)}        1   (wall includes the 500 ms window)`);
console.log(`vigil --version (Node start-up alone)         ${fmt(startup.cpuMs).padStart(11)}   ${fmt(startup.wallMs).padStart(12)}        1`);
console.log(`ps aux --sort=-%cpu                           ${fmt(ps.cpuMs).padStart(11)}   ${fmt(ps.wallMs).padStart(12)}        1`);
console.log(`systeminformation processes() (in-process)    ${fmt(sys.cpuMs).padStart(11)}   ${fmt(sys.wallMs).padStart(12)}   ${String(sys.spawns).padStart(6)}`);
console.log('');
console.log(`vigil top command / ps: ${(vigil.cpuMs / ps.cpuMs).toFixed(1)}× the CPU; in-process lister / ps: ${(lister.cpuMs / ps.cpuMs).toFixed(2)}×`);
console.log('(CPU of the commands is at 10 ms resolution: the kernel accounts children in USER_HZ ticks)');
