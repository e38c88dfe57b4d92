// `vigil hub …`: run the hub (the central server machines report to) and manage its machines.
//   vigil hub [--data-dir DIR] [--host H] [--port P] [--token TOKEN]   serve until SIGINT/SIGTERM
//             [--influx URL [--influx-db DB | --influx-org O --influx-bucket B]]   …and fan out to InfluxDB / VictoriaMetrics
//   vigil hub add-machine NAME                                         print a new machine's token once
//   vigil hub revoke ID|NAME                                           its token stops working
//   vigil hub list [--all] [--json]                                    machines, state, last seen
// The machine commands work on <hub-data-dir>/hub.db, whether the hub runs or not.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { VigilError } from '../../shared/errors.js';
import { mergeSettings, type LogLevelSetting, type Settings, type SettingsPatch } from '../../shared/settings.js';
import { formatLocalIso } from '../../shared/dates.js';
import { formatDuration } from '../../shared/units.js';
import { ensureWritableDir } from '../../core/engine.js';
import { createLogger, tolerateBrokenStdout, type LogFormat } from '../../core/log.js';
import { defaultDataDir, dataPaths } from '../../core/paths.js';
import { readSettingsIsolated } from '../../core/settings.js';
import { AGENT_V8_FLAGS } from '../../core/service/spec.js';
import type { Hub } from '../../hub/hub.js';
import { handleShutdownSignals } from '../shutdown.js';
import { paintFor } from '../colour.js';
import { influxOverrides, refuseInfluxFlagsWithoutInflux, type InfluxFlags } from './influx-options.js';
import { warnOnStderr } from '../options.js';

export interface HubServeOptions extends InfluxFlags {
  dataDir?: string;
  host?: string;
  port?: number;
  token?: string;
  logLevel?: LogLevelSetting;
  /** Log lines as text (default) or one JSON object each. */
  logFormat?: LogFormat;
  tlsCert?: string;
  tlsKey?: string;
  /** --allowed-host NAME (repeat): names the hub answers without a token besides loopback ones. */
  allowedHost?: string[];
}

/** Shorter tokens are guessable; `openssl rand -base64 32` gives 44 characters. */
const MIN_TOKEN_LENGTH = 16;

/** --data-dir, else $VIGIL_HUB_DATA_DIR, else <the default data folder>/hub (beside an agent's data, never mixed with it). */
export function resolveHubDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag);
  if (env.VIGIL_HUB_DATA_DIR) return path.resolve(env.VIGIL_HUB_DATA_DIR);
  return path.join(defaultDataDir(env), 'hub');
}

/**
 * Started with the agent's V8 flags (the server bundle's launcher passes them to every command):
 * no optimizing compilers and a 1 MB young generation, right for a sampler that works
 * microseconds per second, wrong for a server that parses,
 * validates and stores thousands of samples a second (bench/hub-ingest.ts). The
 * hub therefore runs in a child Node without those flags; this process only relays signals and
 * the exit code. The child exits when this process disappears (the IPC channel closes).
 */
function relaunchWithOptimizingCompilers(): Promise<number> | null {
  const agentFlagNames = new Set(AGENT_V8_FLAGS.map((flag) => flag.split('=')[0]));
  const tuned = (flag: string) => agentFlagNames.has(flag.split('=')[0]!);
  if (!process.execArgv.some(tuned) || process.env.VIGIL_HUB_CHILD === '1') return null;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv.filter((flag) => !tuned(flag)), ...process.argv.slice(1)], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, VIGIL_HUB_CHILD: '1' },
    });
    const relay = (signal: NodeJS.Signals) => child.kill(signal);
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, relay);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, relay);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

export async function runHub(options: HubServeOptions): Promise<number> {
  const relaunched = relaunchWithOptimizingCompilers();
  if (relaunched) return relaunched;
  // Started by relaunchWithoutLiteMode: stop when the parent goes (killed, even with SIGKILL).
  if (process.env.VIGIL_HUB_CHILD === '1' && process.connected) {
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
    process.channel?.unref();
  }
  const dataDir = resolveHubDataDir(options.dataDir);
  ensureWritableDir(dataDir);
  const paths = dataPaths(dataDir);
  const file = await readSettingsIsolated(paths.settings);
  const patch: SettingsPatch = {};
  if (options.logLevel) patch.log = { level: options.logLevel };
  if (options.allowedHost) patch.hub = { allowedHosts: options.allowedHost };
  const influx = influxOverrides(options);
  if (influx) patch.influx = influx;
  const settings: Settings = mergeSettings(file.settings, patch);
  refuseInfluxFlagsWithoutInflux(options, settings, paths.settings);
  const { hashToken, isLoopbackHost } = await import('../../core/server/http-server.js');
  let tokenHash: string | null = settings.hub.tokenHash || null;
  if (options.token !== undefined) {
    if (options.token.length < MIN_TOKEN_LENGTH) {
      throw new VigilError('invalid_argument', `The hub token is too short: use at least ${MIN_TOKEN_LENGTH} random characters, e.g. VIGIL_HUB_TOKEN=$(openssl rand -base64 32)`);
    }
    tokenHash = hashToken(options.token);
  }
  const host = options.host ?? settings.hub.host;
  if (!isLoopbackHost(host) && !tokenHash) {
    throw new VigilError(
      'invalid_argument',
      `Listening on ${host} exposes every machine's data beyond this one, so the hub needs a token for its read API: set VIGIL_HUB_TOKEN (e.g. $(openssl rand -base64 32)) or pass --token, or listen on 127.0.0.1`,
    );
  }
  const logger = createLogger({
    level: settings.log.level,
    format: options.logFormat,
    file: paths.logFile,
    maxBytes: settings.log.maxFileMegabytes * 1024 * 1024,
    maxFiles: settings.log.maxFiles,
  });
  if (file.warning) logger.warn(file.warning);
  const shutdown = handleShutdownSignals(logger);
  let hub: Hub;
  try {
    const hubModule = await import('../../hub/hub.js');
    hub = await hubModule.Hub.start({
      dataDir,
      settings,
      logger,
      host,
      port: options.port,
      tokenHash,
      tlsCertFile: options.tlsCert,
      tlsKeyFile: options.tlsKey,
      influxToken: options.influxToken,
    });
  } catch (error) {
    shutdown.abandon();
    logger.close();
    throw error;
  }
  const stopped = shutdown.run(hub);
  logger.info('vigil hub running', { pid: process.pid, dataDir, url: hub.url });
  tolerateBrokenStdout();
  process.stdout.write(`Vigil hub: ${hub.url}/ (API docs: ${hub.url}/docs)\n`);
  return stopped;
}

async function openRegistry(dataDirFlag: string | undefined) {
  const dataDir = resolveHubDataDir(dataDirFlag);
  ensureWritableDir(dataDir);
  const { MachineRegistry } = await import('../../hub/registry.js');
  const { hubPaths } = await import('../../hub/paths.js');
  return new MachineRegistry(hubPaths(dataDir).registry);
}

export async function runAddMachine(name: string, options: { dataDir?: string; json?: boolean }): Promise<number> {
  const registry = await openRegistry(options.dataDir);
  try {
    const { machine, token } = registry.add(name);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ id: machine.id, name: machine.name, token }, null, 2)}\n`);
    } else {
      process.stdout.write(
        [
          `Machine ${machine.name} added (id ${machine.id}).`,
          `Its token, shown only this once (the hub keeps a hash of it):`,
          ``,
          `  ${token}`,
          ``,
          `On that machine, save it where the agent reads it (mode 0600) and point the agent at this hub:`,
          `  umask 077; echo '${token}' > <agent data dir>/sync-token     # e.g. ~/.config/Vigil/sync-token`,
          `  vigil agent --sync http(s)://<this hub>:7471`,
          `(or once: vigil agent --sync URL --token TOKEN; VIGIL_SYNC_TOKEN works too)`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    registry.close();
  }
}

export async function runRevokeMachine(idOrName: string, options: { dataDir?: string; json?: boolean }): Promise<number> {
  const registry = await openRegistry(options.dataDir);
  try {
    const machine = registry.revoke(idOrName);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ machine: { id: machine.id, name: machine.name, revokedAt: machine.revokedAt } }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`Machine ${machine.name} (${machine.id}) revoked: its token no longer works. Its data is kept.\n`);
    return 0;
  } finally {
    registry.close();
  }
}

export async function runListMachines(options: { dataDir?: string; all?: boolean; json?: boolean }, now = Date.now()): Promise<number> {
  const registry = await openRegistry(options.dataDir);
  try {
    const { fleetState, stalePolicyOf } = await import('../../hub/fleet-state.js');
    const dataDir = resolveHubDataDir(options.dataDir);
    const read = await readSettingsIsolated(dataPaths(dataDir).settings);
    warnOnStderr(read.warning);
    const settings = read.settings;
    const machines = registry.list(options.all === true).map((m) => ({
      ...m,
      state: m.revokedAt !== null ? 'revoked' : fleetState(m, now, stalePolicyOf(settings.hub)),
    }));
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ time: now, machines }, null, 2)}\n`);
      return 0;
    }
    if (machines.length === 0) {
      process.stdout.write('No machines yet: vigil hub add-machine NAME\n');
      return 0;
    }
    const rows = machines.map((m) => [
      m.name,
      m.state,
      m.lastSeen === null ? 'never' : `${formatDuration(now - m.lastSeen)} ago (${formatLocalIso(m.lastSeen)})`,
      m.lastSampleTs === null ? '–' : formatLocalIso(m.lastSampleTs),
      m.id,
    ]);
    const header = ['NAME', 'STATE', 'LAST SEEN', 'LAST SAMPLE', 'ID'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    // In a terminal, the state in colour (colour.ts): up green, stale (no news: down?) red.
    const paint = paintFor(process.stdout);
    const stateColour: Partial<Record<string, 'green' | 'red'>> = { up: 'green', stale: 'red' };
    const line = (cells: string[], colourState = false) =>
      cells
        .map((c, i) => {
          const cell = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
          const colour = colourState && i === 1 ? stateColour[c] : undefined;
          return colour ? paint.style(colour, cell) : cell;
        })
        .join('  ');
    process.stdout.write(`${[line(header), ...rows.map((row) => line(row, true))].join('\n')}\n`);
    return 0;
  } finally {
    registry.close();
  }
}
