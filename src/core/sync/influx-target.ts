// Sends batches as InfluxDB line protocol (line-protocol.ts; names in
// metrics-exposition/convention.ts) to:
// - InfluxDB 1.x:        POST <url>/write?db=<db>&precision=ms
// - InfluxDB 2.x / 3.x:  POST <url>/api/v2/write?org=<org>&bucket=<bucket>&precision=ms,
//                        Authorization: Token <token>
// - VictoriaMetrics:     either of the two (it accepts both, and needs neither db nor org).
// A bucket selects the v2 API; otherwise the v1 API, with the db when one is given.
//
// Credentials: with the v1 API a token of the form user:password is sent as HTTP Basic auth,
// which every InfluxDB 1.x takes (1.x before 1.8 knows no Token scheme; VictoriaMetrics'
// -httpAuth.* is Basic too); any other token goes as `Authorization: Token …` (InfluxDB 2.x/3.x,
// and 1.8+). Credentials in the URL (http://user:pass@host) are used as Basic auth when no token
// is set. The token is never logged, and the endpoint shown in status and logs is redacted.
//
// Idempotence: a point is keyed by measurement, tag set and timestamp, so in InfluxDB a batch sent
// again after a lost answer overwrites the same points with the same values. VictoriaMetrics keeps
// both copies unless it runs with -dedup.minScrapeInterval=1ms (docs/integrations.md; measured in
// tests/hub/fanout.test.ts).
//
// Coarser points (influx.intervalSeconds, --influx-interval): the target then sets windowMs, and
// the sync service hands it one averaged sample per complete window (windows.ts, Outbox.nextWindows),
// which it encodes like any sample.
//
// Errors, for the sync service's retry policy (see types.ts):
// - network failures, timeouts, 5xx, 429 (with Retry-After) and 408: retryable;
// - 413: too large (the service halves the batch);
// - 400/401/403/404/422 — bad credentials, unknown database or bucket, rejected data (a field
//   type conflict): permanent, with InfluxDB's own message.
// One 4xx is not an error: "partial write: points beyond retention policy dropped=N" means the
// database keeps less history than the agent is backfilling; the other points were written, and
// the dropped ones would be dropped again on every retry, so the batch counts as delivered.
import { writePrivateFile } from '../private-file.js';
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../../shared/errors.js';
import type { Settings } from '../../shared/settings.js';
import { redact } from '../http-client.js';
import type { Logger } from '../log.js';
import { diskPoints, hostPoints, type MachineLabels } from '../metrics-exposition/convention.js';
import { encodePoints, encodeSampleLines } from './line-protocol.js';
import { postSyncBody } from './post.js';
import { SyncError, syncErrorForStatus, type SyncBatch, type SyncTarget } from './types.js';

export const INFLUX_TOKEN_FILE = 'influx-token';

export interface InfluxTargetOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8086 (InfluxDB) or http://127.0.0.1:8428 (VictoriaMetrics). */
  url: string;
  /** InfluxDB 1.x database (v1 API). */
  db?: string;
  /** InfluxDB 2.x/3.x organization (v2 API; optional for 3.x and VictoriaMetrics). */
  org?: string;
  /** InfluxDB 2.x/3.x bucket: selects the v2 API. */
  bucket?: string;
  /** API token (2.x/3.x), or user:password (1.x). */
  token?: string;
  /** PEM CA(s) to trust, for a server with a private or self-signed certificate. */
  ca?: string | Buffer;
  timeoutMs?: number;
  logger?: Logger;
  /** influx.intervalSeconds: one point per window of this many seconds (windows.ts); 0 or absent: every sample. */
  windowSeconds?: number;
}

export class InfluxTarget implements SyncTarget {
  readonly name = 'influx';
  readonly endpoint: string;
  readonly api: 'v1' | 'v2';
  readonly windowMs: number | undefined;
  private readonly writeUrl: URL;
  private readonly authorization: string | null;

  constructor(private readonly options: InfluxTargetOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch (error) {
      throw new VigilError('invalid_argument', `Invalid InfluxDB URL ${JSON.stringify(options.url)}: expected http://host:port`, { cause: error });
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new VigilError('invalid_argument', `The InfluxDB URL must be http:// or https://, not ${base.protocol}`);
    }
    this.api = options.bucket ? 'v2' : 'v1';
    this.windowMs = options.windowSeconds ? options.windowSeconds * 1000 : undefined;
    this.authorization = authorizationHeader(this.api, options.token, base);
    const userinfoFree = new URL(base.toString());
    userinfoFree.username = '';
    userinfoFree.password = '';
    if (!userinfoFree.pathname.endsWith('/')) userinfoFree.pathname += '/';
    const write = new URL(this.api === 'v2' ? 'api/v2/write' : 'write', userinfoFree);
    if (this.api === 'v2') {
      if (options.org) write.searchParams.set('org', options.org);
      write.searchParams.set('bucket', options.bucket!);
    } else if (options.db) {
      write.searchParams.set('db', options.db);
    }
    write.searchParams.set('precision', 'ms');
    this.writeUrl = write;
    const shown = new URL(write);
    shown.username = base.username;
    shown.password = base.password;
    this.endpoint = redact(shown);
  }

  /** The line-protocol body of a batch (exposed for tests and benchmarks). */
  encode(batch: SyncBatch): string {
    const machine: MachineLabels = { machineId: batch.machine.id, name: batch.machine.name };
    let body = '';
    for (const host of batch.hosts) body += encodePoints(hostPoints(host.ts, host.host, machine));
    for (const sample of batch.samples) body += encodeSampleLines(sample, machine);
    for (const disk of batch.disks) body += encodePoints(diskPoints(disk, machine));
    return body;
  }

  async send(batch: SyncBatch, signal: AbortSignal): Promise<void> {
    const text = this.encode(batch);
    // A heartbeat (nothing new) has nothing to say to a time-series database.
    if (text === '') return;
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (this.authorization) headers.authorization = this.authorization;
    const response = await postSyncBody(this.writeUrl, Buffer.from(text), headers, { ...this.options, errorPrefix: `InfluxDB at ${this.endpoint}: ` }, signal);
    const detail = errorDetail(response.text());
    if (response.status >= 400 && response.status < 500 && isOnlyBeyondRetention(detail)) {
      this.options.logger?.warn('influx: points older than the database keeps were dropped by it', { endpoint: this.endpoint, detail });
      return;
    }
    const failure = syncErrorForStatus(response.status, detail, response.headers['retry-after']);
    if (!failure) return;
    throw new SyncError(failure.kind, `InfluxDB at ${this.endpoint} refused the write: ${explain(response.status, detail)}`, {
      status: response.status,
      retryAfterMs: failure.retryAfterMs ?? undefined,
    });
  }
}

function authorizationHeader(api: 'v1' | 'v2', token: string | undefined, url: URL): string | null {
  if (token) {
    if (api === 'v1' && token.includes(':')) return `Basic ${Buffer.from(token).toString('base64')}`;
    return `Token ${token}`;
  }
  if (url.username || url.password) {
    return `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  return null;
}

/** InfluxDB 1.x `{"error": …}`, 2.x `{"code", "message"}`, or VictoriaMetrics' plain text. */
function errorDetail(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON.
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function isOnlyBeyondRetention(detail: string): boolean {
  return /points beyond retention policy dropped=\d+/.test(detail) && !/conflict|unable to parse|invalid/i.test(detail);
}

/** InfluxDB's message plus what to do about it. */
function explain(status: number, detail: string): string {
  const hint =
    status === 401 || status === 403
      ? ' — check the token (--influx-token, or the influx token file; user:password for InfluxDB 1.x)'
      : status === 404 && /database not found|bucket .*not found|organization .*not found/i.test(detail)
        ? ' — create it, or fix --influx-db / --influx-org / --influx-bucket'
        : '';
  return `HTTP ${status}${detail ? `: ${detail}` : ''}${hint}`;
}

// ---------------------------------------------------------------------------------------------
// From settings: the target the agent builds when `influx.enabled` (or --influx URL).

/** The token file to use: the configured one, else <data-dir>/influx-token. */
export function influxTokenPath(dataDir: string, configured: string): string {
  return configured ? path.resolve(dataDir, configured) : path.join(dataDir, INFLUX_TOKEN_FILE);
}

/** Tokens go into an HTTP header: printable ASCII without spaces. */
export function checkInfluxToken(token: string, where: string): string {
  const trimmed = token.trim();
  if (!/^[\x21-\x7e]{1,1024}$/.test(trimmed)) {
    throw new VigilError('invalid_argument', `The InfluxDB token ${where} is not valid: expected printable characters without spaces.`);
  }
  return trimmed;
}

/**
 * Reads the token file: null when there is none (InfluxDB 1.x without auth and VictoriaMetrics
 * need no token). `warn` is told when the file is readable by group or others.
 */
export function readInfluxToken(file: string, warn?: (message: string) => void): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new VigilError('invalid_settings', `Cannot read the InfluxDB token file ${file}: ${code ?? String(error)}`, { cause: error });
  }
  if (process.platform !== 'win32' && warn) {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) warn(`InfluxDB token file ${file} is readable by other users (mode ${mode.toString(8)}): chmod 600 it`);
  }
  return checkInfluxToken(text, `in ${file}`);
}

/** Writes the token to `file`, readable by its owner only (private-file.ts), never by others in between. */
export function writeInfluxToken(file: string, token: string): void {
  writePrivateFile(file, `${checkInfluxToken(token, 'given')}\n`);
}

/**
 * The InfluxDB target the settings ask for, or null when it is off. `token` (from --influx-token
 * or $VIGIL_INFLUX_TOKEN, for this run only) wins over the token file.
 */
export function influxTargetFromSettings(settings: Settings, dataDir: string, logger?: Logger, token?: string): InfluxTarget | null {
  const influx = settings.influx;
  if (!influx.enabled) return null;
  if (!influx.url) throw new VigilError('invalid_settings', 'influx.enabled is on but influx.url is empty: pass --influx URL');
  const secret = token !== undefined ? checkInfluxToken(token, 'given with --influx-token') : readInfluxToken(influxTokenPath(dataDir, influx.tokenFile), (message) => logger?.warn(message));
  let ca: Buffer | undefined;
  if (influx.caFile) {
    try {
      ca = fs.readFileSync(path.resolve(dataDir, influx.caFile));
    } catch (error) {
      throw new VigilError('invalid_settings', `Cannot read influx.caFile ${influx.caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  }
  return new InfluxTarget({
    url: influx.url,
    db: influx.db || undefined,
    org: influx.org || undefined,
    bucket: influx.bucket || undefined,
    token: secret ?? undefined,
    ca,
    logger,
    windowSeconds: influx.intervalSeconds,
  });
}
