// The hub's machines: who may send (a token per machine, kept only as its SHA-256), and what each
// last said. <hub-data-dir>/hub.db (SQLite, WAL), shared by the running hub and the `vigil hub
// add-machine / revoke / list` commands, which may run while it serves: the hub looks tokens up
// in the database at each request, so a new or revoked machine takes effect at once.
//
// Tokens are 256-bit random strings: SHA-256 is the right cost for them (a slow password hash
// would only slow every ingest request down; nobody can brute-force 2^256).
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { VigilError } from '../shared/errors.js';
import { isMachineState, type MachineState } from '../shared/wire.js';
import { generateToken, hashToken } from '../core/server/http-server.js';

export interface MachineRecord {
  id: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  /** The agent's own machine id, bound by its first batch: a token copied to a second machine is refused. */
  agentId: string | null;
  lastSeen: number | null;
  lastSampleTs: number | null;
  reportedState: MachineState | null;
  intervalSeconds: number | null;
  syncIntervalSeconds: number | null;
  healthUrl: string | null;
  version: string | null;
  /** The machine's IANA time zone, as its agent reported it. */
  timeZone: string | null;
  /** The deadline the machine announced with its sleep (unix ms), null without one or while not sleeping. */
  sleepUntil: number | null;
  /**
   * The name the agent calls its machine (machine.name, else its hostname): the `host` label of
   * its own /metrics, which the hub's /metrics uses too. null before its first batch.
   */
  agentName: string | null;
}

/** What a batch tells about its machine, kept in memory and written every few seconds. */
export interface SeenUpdate {
  lastSeen: number;
  lastSampleTs: number | null;
  reportedState: MachineState;
  intervalSeconds: number;
  syncIntervalSeconds: number;
  healthUrl: string | null;
  version: string;
  timeZone: string | null;
  sleepUntil: number | null;
  agentName: string;
}

/** 1: the machine table; 2: machine.sleep_until; 3: hub_run (when the hub was last alive); 4: machine.agent_name. */
const SCHEMA_VERSION = 4;

// No control characters: names end up in logs, CSV file names and HTML.
// eslint-disable-next-line no-control-regex
const NAME_PATTERN = /^[^\u0000-\u001f\u007f]{1,128}$/;

export function checkMachineName(name: string): string {
  const trimmed = name.trim();
  if (!NAME_PATTERN.test(trimmed)) throw new VigilError('invalid_argument', `Invalid machine name ${JSON.stringify(name)}: 1–128 printable characters`);
  return trimmed;
}

type Row = {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  agent_id: string | null;
  last_seen: number | null;
  last_sample_ts: number | null;
  reported_state: string | null;
  interval_seconds: number | null;
  sync_interval_seconds: number | null;
  health_url: string | null;
  version: string | null;
  time_zone: string | null;
  sleep_until: number | null;
  agent_name: string | null;
};

export class MachineRegistry {
  private readonly db: Database.Database;
  private readonly statements;
  /** Updates not yet written (see flush()); reads merge them in. */
  private readonly seen = new Map<string, SeenUpdate>();
  /**
   * Every machine row, in memory: the hub reads the registry on every request (authentication,
   * state, the fleet list), and a fleet is small. Reloaded when the database changed under us —
   * `vigil hub add-machine` or `revoke` in another process (PRAGMA data_version tells, for the
   * price of a function call) — or after our own writes.
   */
  private rows: Row[] = [];
  private readonly byId = new Map<string, Row>();
  private readonly activeByHash = new Map<string, Row>();
  private dataVersion = -1;

  constructor(private readonly file: string) {
    try {
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
    } catch (error) {
      if (error instanceof VigilError) throw error;
      throw new VigilError('io_error', `Cannot open the hub database ${file}: ${(error as Error).message}`, { cause: error });
    }
    const columns = 'id, name, token_hash, created_at, revoked_at, agent_id, last_seen, last_sample_ts, reported_state, interval_seconds, sync_interval_seconds, health_url, version, time_zone, sleep_until, agent_name';
    this.statements = {
      insert: this.db.prepare('INSERT INTO machine (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)'),
      all: this.db.prepare(`SELECT ${columns} FROM machine ORDER BY name COLLATE NOCASE, created_at`),
      dataVersion: this.db.prepare('PRAGMA data_version').pluck(),
      revoke: this.db.prepare('UPDATE machine SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      bindAgent: this.db.prepare('UPDATE machine SET agent_id = ? WHERE id = ? AND agent_id IS NULL'),
      seen: this.db.prepare(
        `UPDATE machine SET last_seen = @lastSeen, last_sample_ts = max(coalesce(last_sample_ts, 0), coalesce(@lastSampleTs, 0)), reported_state = @reportedState,
           interval_seconds = @intervalSeconds, sync_interval_seconds = @syncIntervalSeconds, health_url = @healthUrl, version = @version, time_zone = @timeZone,
           sleep_until = @sleepUntil, agent_name = @agentName WHERE id = @id`,
      ),
      aliveAt: this.db.prepare('SELECT alive_at FROM hub_run WHERE id = 1').pluck(),
      lastSeen: this.db.prepare('SELECT max(last_seen) FROM machine').pluck(),
      markAlive: this.db.prepare('INSERT INTO hub_run (id, alive_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET alive_at = excluded.alive_at'),
    };
  }

  /** The running hub notes that it listens (every few seconds, and when it stops). */
  markAlive(now: number): void {
    this.statements.markAlive.run(now);
  }

  /**
   * When the previous run of the hub was last alive; read at start, before this run marks itself.
   * A hub.db from a Vigil that did not keep it: the newest report it received (it listened then
   * at least). Null when neither is known.
   */
  previousRunEnd(): number | null {
    const aliveAt = this.statements.aliveAt.get() as number | undefined;
    if (typeof aliveAt === 'number') return aliveAt;
    const lastSeen = this.statements.lastSeen.get() as number | null;
    return typeof lastSeen === 'number' ? lastSeen : null;
  }

  /** Registers a machine; the token is returned once and only its hash is stored. */
  add(name: string, now = Date.now()): { machine: MachineRecord; token: string } {
    const clean = checkMachineName(name);
    if (this.activeByName(clean)) throw new VigilError('invalid_argument', `A machine named ${clean} already exists: revoke it first, or pick another name`);
    const token = generateToken();
    const id = randomUUID();
    this.statements.insert.run(id, clean, hashToken(token), now);
    this.invalidate();
    return { machine: this.get(id)!, token };
  }

  /** Revokes by id or name; its token stops working at once. Its data stays. */
  revoke(idOrName: string, now = Date.now()): MachineRecord {
    const machine = this.find(idOrName);
    if (!machine || machine.revokedAt !== null) throw new VigilError('not_found', `No active machine ${idOrName}`);
    this.statements.revoke.run(now, machine.id);
    this.seen.delete(machine.id);
    this.invalidate();
    return this.get(machine.id)!;
  }

  /** The active machine holding this token, or null. */
  authenticate(token: string): MachineRecord | null {
    this.refresh();
    const row = this.activeByHash.get(hashToken(token));
    return row ? this.merge(row) : null;
  }

  /** Binds the agent id on the first batch; false when another agent already holds this machine. */
  bindAgent(machine: MachineRecord, agentId: string): boolean {
    if (machine.agentId === agentId) return true;
    if (machine.agentId !== null) return false;
    const bound = this.statements.bindAgent.run(agentId, machine.id).changes === 1;
    // Our own write: keep the cached row in step (a full reload per new machine would make a
    // fleet's first contact quadratic).
    const row = this.byId.get(machine.id);
    if (bound && row) row.agent_id = agentId;
    else this.invalidate();
    return this.get(machine.id)?.agentId === agentId;
  }

  recordSeen(id: string, update: SeenUpdate): void {
    const previous = this.seen.get(id);
    const lastSampleTs = Math.max(previous?.lastSampleTs ?? -Infinity, update.lastSampleTs ?? -Infinity);
    this.seen.set(id, { ...update, lastSampleTs: Number.isFinite(lastSampleTs) ? lastSampleTs : null });
  }

  /** Writes pending last-seen updates (one transaction; the hub calls this every few seconds). */
  flush(): void {
    if (this.seen.size === 0) return;
    const updates = [...this.seen];
    this.db.transaction(() => {
      for (const [id, u] of updates) this.statements.seen.run({ id, ...u });
    })();
    // Written: the rows now hold them (an update that came in meanwhile stays pending).
    for (const [id, u] of updates) {
      const row = this.byId.get(id);
      if (row) {
        Object.assign(row, {
          last_seen: u.lastSeen,
          last_sample_ts: Math.max(row.last_sample_ts ?? 0, u.lastSampleTs ?? 0) || null,
          reported_state: u.reportedState,
          interval_seconds: u.intervalSeconds,
          sync_interval_seconds: u.syncIntervalSeconds,
          health_url: u.healthUrl,
          version: u.version,
          time_zone: u.timeZone,
          sleep_until: u.sleepUntil,
          agent_name: u.agentName,
        });
      }
      if (this.seen.get(id) === u) this.seen.delete(id);
    }
  }

  get(id: string): MachineRecord | null {
    this.refresh();
    const row = this.byId.get(id);
    return row ? this.merge(row) : null;
  }

  /** By id, else by (active) name. */
  find(idOrName: string): MachineRecord | null {
    const byId = this.get(idOrName);
    if (byId) return byId;
    const row = this.activeByName(idOrName);
    return row ? this.merge(row) : null;
  }

  list(includeRevoked = false): MachineRecord[] {
    this.refresh();
    return this.rows.filter((row) => includeRevoked || row.revoked_at === null).map((row) => this.merge(row));
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.db.close();
    }
  }

  private activeByName(name: string): Row | undefined {
    this.refresh();
    const wanted = name.toLowerCase();
    return this.rows.find((row) => row.revoked_at === null && row.name.toLowerCase() === wanted);
  }

  private invalidate(): void {
    this.dataVersion = -1;
  }

  private refresh(): void {
    const version = this.statements.dataVersion.get() as number;
    if (version === this.dataVersion) return;
    this.rows = this.statements.all.all() as Row[];
    this.byId.clear();
    this.activeByHash.clear();
    for (const row of this.rows) {
      this.byId.set(row.id, row);
      if (row.revoked_at === null) this.activeByHash.set(row.token_hash, row);
    }
    this.dataVersion = version;
  }

  private merge(row: Row): MachineRecord {
    const record: MachineRecord = {
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
      agentId: row.agent_id,
      lastSeen: row.last_seen,
      lastSampleTs: row.last_sample_ts,
      reportedState: isMachineState(row.reported_state) ? row.reported_state : null,
      intervalSeconds: row.interval_seconds,
      syncIntervalSeconds: row.sync_interval_seconds,
      healthUrl: row.health_url,
      version: row.version,
      timeZone: row.time_zone,
      sleepUntil: row.sleep_until,
      agentName: row.agent_name,
    };
    const pending = this.seen.get(row.id);
    if (pending) {
      Object.assign(record, pending);
      record.lastSampleTs = Math.max(pending.lastSampleTs ?? 0, row.last_sample_ts ?? 0) || null;
    }
    return record;
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new VigilError('io_error', `The hub database ${this.file} was written by a newer Vigil (schema ${version}, this one knows ${SCHEMA_VERSION})`);
    }
    if (version === SCHEMA_VERSION) return;
    this.db.transaction(() => {
      if (version < 1) {
        this.db.exec(`
          CREATE TABLE machine (
            id                     TEXT PRIMARY KEY,
            name                   TEXT NOT NULL,
            -- SHA-256 (hex) of the machine's token; the token itself is never stored.
            token_hash             TEXT NOT NULL UNIQUE,
            created_at             INTEGER NOT NULL,
            revoked_at             INTEGER,
            agent_id               TEXT,
            last_seen              INTEGER,
            last_sample_ts         INTEGER,
            reported_state         TEXT,
            interval_seconds       INTEGER,
            sync_interval_seconds  INTEGER,
            health_url             TEXT,
            version                TEXT,
            time_zone              TEXT
          );
          CREATE INDEX machine_name ON machine (name COLLATE NOCASE);
        `);
      }
      // The deadline a sleeping machine announced (unix ms; null: none).
      if (version < 2) this.db.exec('ALTER TABLE machine ADD COLUMN sleep_until INTEGER');
      // One row: when the running hub was last alive (unix ms, its clock), so the next run knows
      // how long it was away (fleet-state.ts, hubFleetState).
      if (version < 3) this.db.exec('CREATE TABLE hub_run (id INTEGER PRIMARY KEY CHECK (id = 1), alive_at INTEGER NOT NULL)');
      // The agent's own name for its machine (the host label of its /metrics).
      if (version < 4) this.db.exec('ALTER TABLE machine ADD COLUMN agent_name TEXT');
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }
}
