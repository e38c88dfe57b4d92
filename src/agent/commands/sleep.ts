// `vigil sleep`: tells the running agent that this machine is going away for a while (a planned
// reboot, maintenance) and by when it will be back. The agent then reports state "sleeping"
// with that deadline on /health and pushes it to its peers, which raise no DOWN alert unless
// the deadline passes. `--wake` cancels. Talks to the agent's local server (POST/DELETE
// /api/sleep), so the agent must run with its server on (it does whenever peers are set).
import fs from 'node:fs';
import { httpRequest } from '../../core/http-client.js';
import { currentHolder } from '../../core/lock.js';
import { dataPaths } from '../../core/paths.js';
import { readSettingsIsolated } from '../../core/settings.js';
import { formatLocalIso, parseIsoInstant } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import { defaultSettings } from '../../shared/settings.js';
import { resolveDataDir, warnOnStderr } from '../options.js';
import { localServerUrl } from './alert-options.js';

export interface SleepOptions {
  for?: number;
  until?: string;
  indefinite?: boolean;
  wake?: boolean;
  url?: string;
  token?: string;
  dataDir?: string;
  config?: string;
  json?: boolean;
}

const DEFAULT_SECONDS = 600;

export async function runSleep(options: SleepOptions): Promise<number> {
  const chosen = [options.for !== undefined, options.until !== undefined, options.indefinite === true, options.wake === true].filter(Boolean).length;
  if (chosen > 1) throw new VigilError('invalid_argument', 'Give one of --for, --until, --indefinite or --wake');
  let body: Record<string, unknown> | null = null;
  if (!options.wake) {
    if (options.indefinite) body = { indefinite: true };
    else if (options.until !== undefined) {
      const until = parseIsoInstant(options.until);
      if (until === null) throw new VigilError('invalid_argument', `--until: not a date and time: ${JSON.stringify(options.until)} (e.g. 2026-11-22T14:30)`);
      body = { until };
    } else body = { seconds: options.for ?? DEFAULT_SECONDS };
  }
  const base = options.url ?? (await settingsUrl(options));
  const url = new URL('api/sleep', base.endsWith('/') ? base : `${base}/`);
  let response;
  try {
    response = await httpRequest({
      url,
      method: body ? 'POST' : 'DELETE',
      body: body ? JSON.stringify(body) : undefined,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      timeoutMs: 5000,
    });
  } catch (error) {
    throw new VigilError('io_error', `No Vigil agent answers at ${base} (${error instanceof Error ? error.message : String(error)}): is it running, with its server on? (--url to point elsewhere)`, { cause: error });
  }
  if (response.status !== 200) {
    let message = `HTTP ${response.status}`;
    try {
      message = response.json<{ error: { message: string } }>().error.message;
    } catch {
      // Not one of our error bodies.
    }
    throw new VigilError(response.status === 401 ? 'unauthorized' : 'io_error', `The agent at ${base} refused: ${message}`);
  }
  const reply = response.json<{ state: string; sleepUntil: number | null }>();
  if (options.json) {
    // sleepUntil: unix ms, null for awake or for a sleep with no deadline (state tells which).
    process.stdout.write(`${JSON.stringify({ state: reply.state, sleepUntil: reply.sleepUntil })}\n`);
    return 0;
  }
  if (!body) process.stdout.write('Announced: this machine is awake.\n');
  else if (reply.sleepUntil === null) process.stdout.write('Announced: this machine is going to sleep, with no deadline. Peers raise no DOWN alert until it answers again.\n');
  else process.stdout.write(`Announced: this machine is going to sleep until ${formatLocalIso(reply.sleepUntil)}. Peers raise no DOWN alert unless it is still silent then.\n`);
  return 0;
}

/**
 * Where the agent of that data dir listens: the URL it recorded with its lock (whatever --port or
 * --host it was started with), else the one its settings name.
 */
async function settingsUrl(options: SleepOptions): Promise<string> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  const recorded = (await currentHolder(paths.lock, paths.dataDir))?.url;
  if (recorded) return reachable(recorded);
  const file = options.config ?? paths.settings;
  let settings = defaultSettings();
  if (options.config !== undefined || fs.existsSync(file)) {
    const read = await readSettingsIsolated(file, { missing: 'refuse' });
    warnOnStderr(read.warning);
    settings = read.settings;
  }
  const url = localServerUrl(settings);
  if (!url) throw new VigilError('invalid_argument', "The agent's port is chosen when it starts (server.port is 0): pass --url");
  return url;
}

/** A server bound to every address (0.0.0.0, [::]) is reached on loopback. */
function reachable(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  else if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  return parsed.origin;
}
