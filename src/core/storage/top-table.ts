// The top processes of each minute (table top_1m, beside rollup_1m and pruned with it). Each call
// runs inside one of the facade's transactions; arguments are checked before it starts.
//
// A row's `data` blob holds the processes of the minute's two lists, each process once (the
// biggest CPU user is often also among the biggest in memory), as unsigned varints (codec.ts):
//
//   count, then per process:  cpu place  memory place  name id  pid  CPU % × 10  RSS in KiB
//
// A place is 0 when the process is not in that list, n + 1 when it is n-th (the lists' orders
// differ). Names go in process_name once: a comm name repeats every
// minute, and 5–10 of them a minute cost ~60 bytes as ids instead of ~150 as text. At the
// default 365 days of minute rollups that is ~35 MB a year instead of ~80.
import { VigilError } from '../../shared/errors.js';
import { TOP_PER_MINUTE, type TopMinute, type TopProcess } from '../../shared/processes.js';
import { ByteReader, ByteWriter } from './codec.js';
import { MINUTE_MS } from './plan.js';
import { checkTimestamp } from './input-checks.js';
import type { Statements, TopRow } from './statements.js';

/** Longer names are cut (Linux's comm is 15 characters; systeminformation's names can be paths). */
const MAX_NAME_CHARS = 64;

/** A minute's lists checked: whole-minute ts, at most TOP_PER_MINUTE each, sane numbers. */
export function checkTopMinute(minute: TopMinute): TopMinute {
  checkTimestamp(minute?.ts, 'top processes');
  if (minute.ts % MINUTE_MS !== 0) throw new VigilError('invalid_argument', `The top processes' ts ${minute.ts} is not the start of a minute.`);
  if (!(Number.isSafeInteger(minute.windowMs) && minute.windowMs >= 0)) throw new VigilError('invalid_argument', `The top processes' window ${String(minute.windowMs)} is not a whole number of ms ≥ 0.`);
  const list = (processes: readonly TopProcess[], which: string): TopProcess[] => {
    if (!Array.isArray(processes) || processes.length > TOP_PER_MINUTE) throw new VigilError('invalid_argument', `The top processes by ${which} must be a list of at most ${TOP_PER_MINUTE}.`);
    return processes.map((p, i) => {
      const ok = p && Number.isSafeInteger(p.pid) && p.pid >= 0 && typeof p.name === 'string' && Number.isFinite(p.cpuPercent) && p.cpuPercent >= 0 && Number.isFinite(p.memoryBytes) && p.memoryBytes >= 0;
      if (!ok) throw new VigilError('invalid_argument', `Process #${i} of the top processes by ${which} is malformed (pid, name, CPU % ≥ 0, memory bytes ≥ 0).`);
      return { pid: p.pid, name: p.name.slice(0, MAX_NAME_CHARS), cpuPercent: p.cpuPercent, memoryBytes: p.memoryBytes };
    });
  };
  return { ts: minute.ts, windowMs: minute.windowMs, byCpu: list(minute.byCpu, 'CPU'), byMemory: list(minute.byMemory, 'memory') };
}

export class TopTable {
  private readonly writer = new ByteWriter(128);
  /** Names by id, filled as rows are read (a committed name's id never changes). */
  private readonly names = new Map<number, string>();

  constructor(private readonly s: Statements) {}

  insert(minute: TopMinute): void {
    // One entry per process of either list, in first-seen order: CPU list, then memory list.
    const entries = new Map<number, { process: TopProcess; cpu: number; memory: number }>();
    minute.byCpu.forEach((process, i) => entries.set(process.pid, { process, cpu: i + 1, memory: 0 }));
    minute.byMemory.forEach((process, i) => {
      const entry = entries.get(process.pid);
      if (entry) entry.memory = i + 1;
      else entries.set(process.pid, { process, cpu: 0, memory: i + 1 });
    });
    const w = this.writer;
    w.reset();
    w.uint(entries.size);
    for (const { process, cpu, memory } of entries.values()) {
      w.uint(cpu);
      w.uint(memory);
      w.uint(this.nameId(process.name));
      w.uint(process.pid);
      w.uint(Math.round(process.cpuPercent * 10));
      w.uint(Math.round(process.memoryBytes / 1024));
    }
    this.s.putTop.run(minute.ts, minute.windowMs, w.view());
  }

  /** The minute starting at `ts`, or null when none was recorded. */
  at(ts: number): TopMinute | null {
    const row = this.s.topAt.get(ts);
    return row ? this.decode(row) : null;
  }

  private nameId(name: string): number {
    // Not cached: the transaction may yet roll back, and the id go to another name.
    return this.s.processNameId.get(name) ?? Number(this.s.insertProcessName.run(name).lastInsertRowid);
  }

  private nameOf(id: number): string {
    let name = this.names.get(id);
    if (name === undefined) {
      name = this.s.processName.get(id) ?? '?';
      this.names.set(id, name);
    }
    return name;
  }

  private decode([ts, windowMs, data]: TopRow): TopMinute {
    const r = new ByteReader(data);
    const byCpu: TopProcess[] = [];
    const byMemory: TopProcess[] = [];
    const count = r.uint();
    for (let i = 0; i < count && r.pos < data.length; i++) {
      const cpu = r.uint();
      const memory = r.uint();
      const process: TopProcess = { pid: 0, name: '', cpuPercent: 0, memoryBytes: 0 };
      const nameId = r.uint();
      process.pid = r.uint();
      process.cpuPercent = r.uint() / 10;
      process.memoryBytes = r.uint() * 1024;
      process.name = this.nameOf(nameId);
      if (cpu > 0 && cpu <= TOP_PER_MINUTE) byCpu[cpu - 1] = process;
      if (memory > 0 && memory <= TOP_PER_MINUTE) byMemory[memory - 1] = { ...process };
    }
    r.end();
    // A damaged blob could leave a hole: never hand one out.
    return { ts, windowMs, byCpu: byCpu.filter(Boolean), byMemory: byMemory.filter(Boolean) };
  }
}
