// `vigil top`: the processes using the most CPU (or memory) right now, once. It reads the machine
// directly (no agent needed); CPU % is measured over a half-second window, as top does between
// two refreshes. Showing processes is all it does: Vigil deliberately offers no way to run
// commands or signal processes, locally or through the API.
import { createProcessLister, type ProcessInfo, type ProcessList, type ProcessSort } from '../../core/metrics/processes.js';
import { formatBytes } from '../../shared/units.js';

export interface TopOptions {
  sort?: ProcessSort;
  limit?: number;
  json?: boolean;
}

export async function runTop(options: TopOptions): Promise<number> {
  const lister = await createProcessLister();
  const list = await lister.list({ sort: options.sort ?? 'cpu', limit: options.limit });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  const width = process.stdout.isTTY ? process.stdout.columns : undefined;
  process.stdout.write(`${formatTop(list, width).join('\n')}\n`);
  return 0;
}

/** The table, with command lines cut to the terminal's width when there is one. */
export function formatTop(list: ProcessList, width?: number): string[] {
  const by = list.sort === 'cpu' ? 'CPU' : 'memory';
  const window = list.windowMs > 0 ? ` over ${(list.windowMs / 1000).toFixed(1)} s` : '';
  const lines = [`Top ${list.processes.length} of ${list.total} processes by ${by}${window} · ${list.cpus} CPUs (CPU % of one CPU, as top shows it)`, ''];
  const userWidth = Math.min(12, Math.max(4, ...list.processes.map((p) => p.user.length)));
  const header = `${'PID'.padStart(7)} ${'USER'.padEnd(userWidth)} ${'CPU%'.padStart(6)} ${'MEM%'.padStart(5)} ${'RSS'.padStart(10)} ${'THR'.padStart(4)} S COMMAND`;
  lines.push(header);
  for (const p of list.processes) lines.push(row(p, userWidth, width ? Math.max(10, width - header.length + 'COMMAND'.length) : undefined));
  return lines;
}

function row(p: ProcessInfo, userWidth: number, commandWidth?: number): string {
  const user = p.user.length > userWidth ? `${p.user.slice(0, userWidth - 1)}+` : p.user.padEnd(userWidth);
  const shown = displayCommand(p.command);
  const command = commandWidth && shown.length > commandWidth ? `${shown.slice(0, commandWidth - 1)}…` : shown;
  return [
    String(p.pid).padStart(7),
    user,
    p.cpuPercent.toFixed(1).padStart(6),
    p.memoryPercent.toFixed(1).padStart(5),
    formatBytes(p.memoryBytes).padStart(10),
    (p.threads === null ? '-' : String(p.threads)).padStart(4),
    p.state ?? '-',
    command,
  ].join(' ');
}

/** Interpreters whose command line says little before the script: node, python, ruby, perl, php, java. */
const INTERPRETER = /^(node|nodejs|python[\d.]*|pypy[\d.]*|ruby|perl|php[\d.]*|java)(\.exe)?$/i;
/** Interpreter options that take the next word as their value, and say nothing about what runs. */
const SKIPPED_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-W', '-X', '-cp', '-classpath', '--class-path', '-I']);
/** Options after which the rest is what runs: a module, a jar, inline code. */
const WHAT_RUNS = new Set(['-m', '-jar', '-e', '-c', '--eval', '-p', '--print']);

/**
 * The command as `vigil top` shows it: for an interpreter, its name and the script it runs with
 * the script's arguments ("node /srv/api/server.js --port 8080"), without the interpreter's path
 * and its own options (a V8 flag list, -X options), which fill the column and make every node or
 * java process look the same. Other commands as they are. The JSON output keeps the full line.
 */
export function displayCommand(command: string): string {
  const words = command.split(' ');
  const program = words[0] ?? '';
  const name = program.split(/[\\/]/).at(-1) ?? program;
  if (!INTERPRETER.test(name)) return command;
  let i = 1;
  while (i < words.length && words[i]!.startsWith('-') && !WHAT_RUNS.has(words[i]!)) i += SKIPPED_WITH_VALUE.has(words[i]!) ? 2 : 1;
  const rest = words.slice(i).join(' ');
  return rest ? `${name} ${rest}` : command;
}
