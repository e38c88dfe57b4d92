// Where the agent's resident memory goes, next to the floor: a bare Node process started with the
// same V8 flags, doing nothing (`setInterval(() => {}, 1000)`). Linux only (/proc/PID/smaps).
// Both run side by side; after a warm-up the bench reads every mapping of each process every
// second for `seconds` and prints the averages, split by what backs the pages:
// - the `node` executable's own file pages (its code, and its read-only data: V8's startup
//   snapshot, Node's built-in JavaScript and its code cache, ICU), mapped from the file and shared
//   with every other process running the same binary (PSS divides them among those processes);
// - the other shared libraries (libc, libstdc++…) and better-sqlite3's addon;
// - anonymous memory, the process's own: V8's heap (its 256 KiB pages), malloc's main heap
//   (`[heap]`: SQLite's page cache, Node's and libuv's C++ objects), thread arenas and stacks.
// The agent runs as the README starts it (`npm run agent`'s command line, from package.json, with
// a temporary --data-dir). `--node PATH` (repeatable) adds a bare process of another Node build
// (e.g. Node 24) to the comparison: the floor of that runtime; the agent itself needs a
// better-sqlite3 built for that runtime's ABI, so `--node PATH=ROOT` also runs the agent from ROOT
// (a copy of the repository whose node_modules was built for it). `--with "ARGS"` (repeatable)
// adds one more agent started with ARGS on top of npm run agent's flags, to try a setting against
// the unchanged agent in the same run: words of the form NAME=VALUE go to its environment (e.g.
// MALLOC_ARENA_MAX=2), the others are Node/V8 flags (e.g. --single-threaded-gc); `--with ""` runs
// the same agent a second time, which shows how much two identical agents differ in one run.
//
//   npm run build && npx tsx bench/agent-memory.ts [seconds=60] [--node PATH[=ROOT]]… [--with "ARGS"]…
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const extraNodes: { node: string; root?: string }[] = [];
const variants: string[] = [];
const positional: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--node') {
    const [node, root] = (args[++i] ?? '').split('=');
    if (!node || !fs.existsSync(node)) throw new Error(`--node: no such executable: ${node}`);
    extraNodes.push({ node, root });
  } else if (args[i] === '--with') {
    const variant = args[++i];
    if (variant === undefined) throw new Error('--with needs the flags or NAME=VALUE words to add ("" runs the same agent again)');
    variants.push(variant);
  } else positional.push(args[i]!);
}
const seconds = Number(positional[0] ?? 60);
if (!(seconds > 0)) throw new Error('usage: agent-memory.ts [seconds=60] [--node PATH[=ROOT]]…');
if (process.platform !== 'linux') throw new Error('agent-memory.ts reads /proc/PID/smaps: Linux only');
const WARMUP_MS = 15_000;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-agent-memory-'));

/** `npm run agent`'s command line (after its build step): [flags…, script, agent]. */
function agentCommand(): string[] {
  const scripts = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const command = scripts.agent!.split('&&').at(-1)!.trim().split(/\s+/);
  if (command[0] !== 'node') throw new Error(`npm run agent does not start with node: ${scripts.agent}`);
  return command.slice(1);
}
const agentArgs = agentCommand();
const v8Flags = agentArgs.filter((a) => a.startsWith('--'));

interface Subject {
  name: string;
  start: () => ChildProcess;
}

function bare(node: string, label: string): Subject {
  return { name: `bare ${label}`, start: () => spawn(node, [...v8Flags, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }) };
}
let agents = 0;
/** variant: more flags and NAME=VALUE words; blank but not empty (" ") is the same agent again, to show how much two identical agents differ. */
function agent(node: string, label: string, root = process.cwd(), variant = ''): Subject {
  const dir = path.join(work, `agent-${++agents}`);
  const script = path.join(root, agentArgs.find((a) => a.endsWith('.js'))!);
  const words = variant.split(/\s+/).filter(Boolean);
  const env = { ...process.env, ...Object.fromEntries(words.filter((w) => !w.startsWith('-')).map((w) => w.split(/=(.*)/s).slice(0, 2))) };
  const flags = words.filter((w) => w.startsWith('-'));
  return {
    name: variant === '' ? `agent ${label}` : variant.trim() ? `agent ${label}, ${variant}` : `agent ${label}, again`,
    start: () => spawn(node, [...v8Flags, ...flags, script, 'agent', '--data-dir', dir], { stdio: 'ignore', cwd: root, env }),
  };
}

/** "node 22.23.5": which runtime a column is. */
function label(node: string): string {
  return `node ${spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim() || '?'}`;
}

const subjects: Subject[] = [bare(process.execPath, label(process.execPath)), agent(process.execPath, label(process.execPath))];
for (const variant of variants) subjects.push(agent(process.execPath, label(process.execPath), process.cwd(), variant || ' '));
for (const extra of extraNodes) {
  subjects.push(bare(extra.node, label(extra.node)));
  if (extra.root) subjects.push(agent(extra.node, label(extra.node), path.resolve(extra.root)));
}

/** The rows of the table, in KiB: what backs the resident pages. */
const ROWS = [
  'RSS',
  'PSS',
  'node binary: code (r-x)',
  'node binary: read-only data (r--)',
  'node binary: data (rw-, incl. copied-on-write)',
  'better_sqlite3.node',
  'other shared libraries',
  'anonymous: V8 heap pages (256 KiB)',
  'anonymous: malloc main heap ([heap])',
  'anonymous: thread stacks and arenas, other',
  'anonymous total',
  'threads',
] as const;
type Row = (typeof ROWS)[number];

/** One reading of /proc/PID/smaps, in KiB per row. */
function read(pid: number): Map<Row, number> | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return null;
  }
  const out = new Map<Row, number>(ROWS.map((r) => [r, 0]));
  const add = (row: Row, kib: number): void => void out.set(row, out.get(row)! + kib);
  let header: { start: bigint; sizeKiB: number; perms: string; file: string } | null = null;
  let rss = 0;
  let anon = 0;
  const flush = (): void => {
    if (!header) return;
    const { file, perms } = header;
    add('RSS', rss);
    if (anon > 0) {
      add('anonymous total', anon);
      if (file === '[heap]') add('anonymous: malloc main heap ([heap])', anon);
      else if (file === '' && header.sizeKiB % 256 === 0 && header.start % 262144n === 0n && header.start < 0x7e0000000000n) add('anonymous: V8 heap pages (256 KiB)', anon);
      else if (!file.startsWith('/')) add('anonymous: thread stacks and arenas, other', anon);
    }
    const fileBacked = rss - anon;
    if (file.endsWith('/node') || file === process.execPath) {
      if (perms.startsWith('r-x')) add('node binary: code (r-x)', fileBacked);
      else if (perms.startsWith('r--')) add('node binary: read-only data (r--)', fileBacked);
      else add('node binary: data (rw-, incl. copied-on-write)', rss);
    } else if (file.endsWith('better_sqlite3.node')) add('better_sqlite3.node', rss);
    else if (file.startsWith('/')) add('other shared libraries', rss);
  };
  for (const line of text.split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      flush();
      const start = BigInt(`0x${mapping[1]}`);
      header = { start, sizeKiB: Number((BigInt(`0x${mapping[2]}`) - start) / 1024n), perms: mapping[3]!, file: mapping[4]!.trim() };
      rss = 0;
      anon = 0;
      continue;
    }
    const field = /^(Rss|Pss|Anonymous):\s+(\d+) kB/.exec(line);
    if (!field) continue;
    if (field[1] === 'Rss') rss = Number(field[2]);
    else if (field[1] === 'Anonymous') anon = Number(field[2]);
    else add('PSS', Number(field[2]));
  }
  flush();
  try {
    out.set('threads', fs.readdirSync(`/proc/${pid}/task`).length);
  } catch {
    return null;
  }
  return out;
}

const running = subjects.map((subject) => ({ subject, child: subject.start() }));
const cleanup = (): void => {
  for (const { child } of running) child.kill('SIGTERM');
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

console.log(`agent-memory: ${seconds} s after ${WARMUP_MS / 1000} s of warm-up, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at the start`);
console.log(`V8 flags of every process (npm run agent's): ${v8Flags.join(' ')}`);
await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
/** utime + stime in clock ticks (USER_HZ, 100 on Linux), from /proc/PID/stat; null once it has exited. */
function cpuTicks(pid: number | undefined): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const cpuAtStart = running.map(({ child }) => cpuTicks(child.pid));
const windowStart = performance.now();
const sums = running.map(() => new Map<Row, number>(ROWS.map((r) => [r, 0])));
const counts = running.map(() => 0);
for (let s = 0; s < seconds; s++) {
  running.forEach(({ child }, i) => {
    const reading = child.pid === undefined ? null : read(child.pid);
    if (!reading) return;
    counts[i]!++;
    for (const [row, value] of reading) sums[i]!.set(row, sums[i]!.get(row)! + value);
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
const cpuAtEnd = running.map(({ child }) => cpuTicks(child.pid));
const minutes = (performance.now() - windowStart) / 60_000;
const dead = running.filter((_, i) => counts[i] === 0).map(({ subject }) => subject.name);
if (dead.length > 0) console.log(`not running (no reading): ${dead.join(', ')}`);

const cell = (i: number, row: Row): string => {
  if (counts[i] === 0) return '—';
  const mean = sums[i]!.get(row)! / counts[i]!;
  return row === 'threads' ? mean.toFixed(0) : (mean / 1024).toFixed(1);
};
const header = ['MiB (average)', ...running.map(({ subject }) => subject.name)];
const cpu = running.map((_, i) => {
  const [start, end] = [cpuAtStart[i], cpuAtEnd[i]];
  return start == null || end == null ? '—' : ((end - start) / CLOCK_TICKS / minutes).toFixed(3);
});
const lines = [header, header.map(() => '---'), ...ROWS.map((row) => [row, ...running.map((_, i) => cell(i, row))]), ['CPU s/min (user + system)', ...cpu]];
console.log('');
for (const line of lines) console.log(`| ${line.join(' | ')} |`);
console.log(`\n(load average ${os.loadavg()[0]!.toFixed(1)} at the end; the node binary's pages are shared with every process running the same file, so PSS depends on what else runs; CPU counts in ${1000 / CLOCK_TICKS} ms clock ticks)`);
cleanup();
fs.rmSync(work, { recursive: true, force: true });
process.exit(0);
