// Every statement of the sample store, prepared once per connection. Each says what it binds and
// what one row of it is: raw() hands rows back as arrays, pluck() the first column alone (an
// aggregate over no rows is NULL; the ts columns are INTEGER, so numbers).
import type Database from 'better-sqlite3';

/** (ts, layout, data): a raw sample or a rollup row. */
export type StoredBlobRow = [ts: number, layout: number, data: Buffer];
export type TopRow = [ts: number, windowMs: number, data: Buffer];
export type HostRow = [ts: number, data: string];
export type DiskRow = [ts: number, device: string, mountPoint: string, fsType: string, total: number, used: number, free: number | null, avail: number | null];

export type Statements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: Database.Database) {
  const raw = <Params extends unknown[], Row>(sql: string) => db.prepare<Params, Row>(sql).raw();
  const pluck = <Params extends unknown[], Value>(sql: string) => db.prepare<Params, Value>(sql).pluck();
  const run = <Params extends unknown[]>(sql: string) => db.prepare<Params>(sql);
  return {
    allSeries: raw<[], [id: number, key: string, flags: number]>('SELECT id, key, flags FROM series ORDER BY id'),
    allLayouts: raw<[], [id: number, seriesIds: string]>('SELECT id, series_ids FROM layout ORDER BY id'),
    dictionarySignature: pluck<[], string>(
      "SELECT (SELECT coalesce(max(id), 0) FROM layout) || '/' || (SELECT coalesce(group_concat(id || ':' || flags), '') FROM series)",
    ),
    insertSeries: run<[key: string, flags: number]>('INSERT INTO series (key, flags) VALUES (?, ?)'),
    updateFlags: run<[flags: number, id: number]>('UPDATE series SET flags = ? WHERE id = ?'),
    layoutByIds: pluck<[seriesIds: string], number>('SELECT id FROM layout WHERE series_ids = ?'),
    insertLayout: run<[seriesIds: string]>('INSERT INTO layout (series_ids) VALUES (?)'),

    insertSample: run<[ts: number, layout: number, data: Uint8Array]>('INSERT OR IGNORE INTO sample (ts, layout, data) VALUES (?, ?, ?)'),
    latestRaw: raw<[], StoredBlobRow>('SELECT ts, layout, data FROM sample ORDER BY ts DESC LIMIT 1'),
    maxRaw: pluck<[], number | null>('SELECT max(ts) FROM sample'),
    minRaw: pluck<[], number | null>('SELECT min(ts) FROM sample'),
    countRaw: pluck<[from: number, to: number], number>('SELECT count(*) FROM sample WHERE ts >= ? AND ts < ?'),
    layoutsInRange: pluck<[from: number, to: number], number>('SELECT DISTINCT layout FROM sample WHERE ts >= ? AND ts < ?'),
    layoutsFirstSeen: raw<[from: number, to: number], [layout: number, first: number]>(
      'SELECT layout, min(ts) AS first FROM sample WHERE ts >= ? AND ts < ? GROUP BY layout ORDER BY first',
    ),
    rawIn: pluck<[from: number, to: number], 0 | 1>('SELECT EXISTS (SELECT 1 FROM sample WHERE ts >= ? AND ts < ?)'),
    minuteIn: pluck<[from: number, to: number], 0 | 1>('SELECT EXISTS (SELECT 1 FROM rollup_1m WHERE ts >= ? AND ts < ?)'),
    hourIn: pluck<[from: number, to: number], 0 | 1>('SELECT EXISTS (SELECT 1 FROM rollup_1h WHERE ts >= ? AND ts < ?)'),

    putMinute: run<[ts: number, layout: number, data: Uint8Array]>('INSERT OR REPLACE INTO rollup_1m (ts, layout, data) VALUES (?, ?, ?)'),
    putHour: run<[ts: number, layout: number, data: Uint8Array]>('INSERT OR REPLACE INTO rollup_1h (ts, layout, data) VALUES (?, ?, ?)'),
    maxMinute: pluck<[], number | null>('SELECT max(ts) FROM rollup_1m'),
    minMinute: pluck<[], number | null>('SELECT min(ts) FROM rollup_1m'),
    maxHour: pluck<[], number | null>('SELECT max(ts) FROM rollup_1h'),

    getMeta: pluck<[key: string], number>('SELECT value FROM meta WHERE key = ?'),
    putMeta: run<[key: string, value: number]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    deleteRaw: run<[before: number]>('DELETE FROM sample WHERE ts < ?'),
    deleteMinutes: run<[before: number]>('DELETE FROM rollup_1m WHERE ts < ?'),
    deleteDisks: run<[before: number]>('DELETE FROM disk_sample WHERE ts < ?'),

    mountId: pluck<[device: string, mountPoint: string, fsType: string], number>('SELECT id FROM mount WHERE device = ? AND mount_point = ? AND fs_type = ?'),
    insertMount: run<[device: string, mountPoint: string, fsType: string]>('INSERT INTO mount (device, mount_point, fs_type) VALUES (?, ?, ?)'),
    insertDisk: run<[ts: number, mount: number, total: number, used: number, free: number | null, avail: number | null]>(
      'INSERT OR IGNORE INTO disk_sample (ts, mount, total, used, free, avail) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    maxDisk: pluck<[], number | null>('SELECT max(ts) FROM disk_sample'),
    diskRange: raw<[from: number, to: number], DiskRow>(
      `SELECT d.ts, m.device, m.mount_point, m.fs_type, d.total, d.used, d.free, d.avail
         FROM disk_sample d JOIN mount m ON m.id = d.mount
        WHERE d.ts >= ? AND d.ts < ?
        ORDER BY d.ts, m.mount_point, m.device`,
    ),

    processNameId: pluck<[name: string], number>('SELECT id FROM process_name WHERE name = ?'),
    insertProcessName: run<[name: string]>('INSERT INTO process_name (name) VALUES (?)'),
    processName: pluck<[id: number], string>('SELECT name FROM process_name WHERE id = ?'),
    putTop: run<[ts: number, windowMs: number, data: Uint8Array]>('INSERT OR REPLACE INTO top_1m (ts, window_ms, data) VALUES (?, ?, ?)'),
    topAt: raw<[ts: number], TopRow>('SELECT ts, window_ms, data FROM top_1m WHERE ts = ?'),
    deleteTop: run<[before: number]>('DELETE FROM top_1m WHERE ts < ?'),

    latestHost: raw<[], HostRow>('SELECT ts, data FROM host_snapshot ORDER BY ts DESC LIMIT 1'),
    insertHost: run<[ts: number, data: string]>('INSERT OR IGNORE INTO host_snapshot (ts, data) VALUES (?, ?)'),
    hostBefore: raw<[before: number], HostRow>('SELECT ts, data FROM host_snapshot WHERE ts < ? ORDER BY ts DESC LIMIT 1'),
    hostRange: raw<[from: number, to: number], HostRow>('SELECT ts, data FROM host_snapshot WHERE ts >= ? AND ts < ? ORDER BY ts'),
  };
}
