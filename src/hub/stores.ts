// One SampleStore (the agent's own storage engine) per machine, under <hub-data-dir>/machines/:
// bucketing, minute/hour rollups, retention and idempotent inserts (a ts already stored is
// ignored) come for free, and a machine's data is one file that can be copied, inspected with
// `vigil export --data-dir`-style tools, or deleted on its own.
//
// Open stores are pooled (least recently used closed first): a SQLite connection costs a few
// file descriptors and its page cache, and a fleet may be larger than what is worth keeping open.
import fs from 'node:fs';
import path from 'node:path';
import type { HubDurability } from '../shared/settings.js';
import { makeDirs } from '../core/fs-util.js';
import type { Logger } from '../core/log.js';
import { openSampleStore } from '../core/storage/sample-store.js';
import type { RetentionPolicy, SampleStore } from '../core/storage/types.js';

export interface StorePoolOptions {
  dir: string;
  logger: Logger;
  /** Most stores kept open at once (default 1024). */
  maxOpen?: number;
  /** Page cache per store, KiB (default 512: the hub writes recent rows and reads whole days). */
  cacheKiB?: number;
  /** hub.durability: whether a commit is fsynced before ingest acknowledges it (default 'normal'). */
  durability?: HubDurability;
}

export class StorePool {
  private readonly open = new Map<string, SampleStore>();
  /** Bytes of an empty, migrated store (see createFromTemplate). */
  private template: Buffer | null = null;
  private readonly maxOpen: number;

  constructor(private readonly options: StorePoolOptions) {
    this.maxOpen = Math.max(1, options.maxOpen ?? 1024);
    makeDirs(options.dir);
  }

  fileOf(machineId: string): string {
    if (!/^[0-9a-f-]{36}$/.test(machineId)) throw new Error(`not a machine id: ${machineId}`);
    return path.join(this.options.dir, `${machineId}.db`);
  }

  /** The machine's store, created on first use. */
  get(machineId: string): SampleStore {
    let store = this.open.get(machineId);
    if (store) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.open.delete(machineId);
      this.open.set(machineId, store);
      return store;
    }
    const file = this.fileOf(machineId);
    if (!fs.existsSync(file)) this.createFromTemplate(file);
    store = openSampleStore(file, { logger: this.options.logger, cacheKiB: this.options.cacheKiB ?? 512, durability: this.options.durability });
    this.open.set(machineId, store);
    while (this.open.size > this.maxOpen) {
      const [oldestId, oldest] = this.open.entries().next().value as [string, SampleStore];
      this.open.delete(oldestId);
      oldest.close();
    }
    return store;
  }

  /**
   * A new machine's database starts as a copy of an empty, migrated one: creating and migrating
   * a SQLite file costs several ms of synchronous work (and syncs), which a fleet's first contact
   * (hundreds of machines within a second) would pay on the event loop; a copy costs ~0.1 ms.
   */
  private createFromTemplate(file: string): void {
    if (!this.template) {
      const scratch = path.join(this.options.dir, `.template-${process.pid}.db`);
      try {
        openSampleStore(scratch, { logger: this.options.logger }).close();
        this.template = fs.readFileSync(scratch);
      } finally {
        for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${scratch}${suffix}`, { force: true });
      }
    }
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, this.template);
    fs.renameSync(temporary, file);
  }

  /** The machine's store if it has any data yet (reads never create files). */
  existing(machineId: string): SampleStore | null {
    if (this.open.has(machineId)) return this.get(machineId);
    return fs.existsSync(this.fileOf(machineId)) ? this.get(machineId) : null;
  }

  /** Applies retention to every machine's store, one at a time. */
  applyRetention(now: number, policy: RetentionPolicy): { raw: number; minute: number } {
    const total = { raw: 0, minute: 0 };
    let files: string[];
    try {
      files = fs.readdirSync(this.options.dir).filter((name) => /^[0-9a-f-]{36}\.db$/.test(name));
    } catch {
      return total;
    }
    for (const name of files) {
      try {
        const deleted = this.get(name.slice(0, -3)).applyRetention(now, policy);
        total.raw += deleted.raw;
        total.minute += deleted.minute;
      } catch (error) {
        this.options.logger.warn('hub: retention failed for a machine', { file: name, error });
      }
    }
    return total;
  }

  get openCount(): number {
    return this.open.size;
  }

  close(): void {
    for (const store of this.open.values()) {
      try {
        store.close();
      } catch {
        // Closing the rest matters more.
      }
    }
    this.open.clear();
  }
}
