// What a Vigil service is, whatever the OS: which command it runs (the agent or the hub), for whom
// (this user, or the whole machine), with which data folder. The per-OS files (systemd.ts,
// launchd.ts, windows.ts) turn a ServiceSpec into a unit, a plist or a task definition, and
// manager.ts installs them. Everything here is pure, so the generated files are tested on every OS.
import path from 'node:path';

export type ServiceRole = 'agent' | 'hub';
/** user: runs as the installing user (at login; no admin rights needed). system: at boot, for the whole machine. */
export type ServiceScope = 'user' | 'system';

/**
 * The agent's V8 flags (see bin/vigil.js): no optimizing compilers and a 1 MB young generation
 * keep the sampler within its memory budget (the same flags on Node 22 and 24). The hub runs with
 * Node's defaults: it serves queries for many machines and wants the optimizing compilers.
 */
export const AGENT_V8_FLAGS = ['--no-opt', '--no-maglev', '--no-sparkplug', '--max-semi-space-size=1'] as const;

/**
 * What `nodePath` is: Node.js itself, or the desktop app's Electron binary (the `vigil` command
 * inside the app runs the CLI with it). Electron's binary starts the tray app unless
 * ELECTRON_RUN_AS_NODE=1 is in its environment, so a service that runs it must set that.
 */
export type ServiceRuntime = 'node' | 'electron';

export interface ServiceSpec {
  role: ServiceRole;
  scope: ServiceScope;
  /** Absolute path of the executable that runs the service (node, or the app's binary). */
  nodePath: string;
  runtime: ServiceRuntime;
  /** Absolute path of bin/vigil.js. */
  scriptPath: string;
  /** Absolute data folder, passed as --data-dir. */
  dataDir: string;
  /** More arguments for the command (the hub's --host, --port). */
  extraArgs: readonly string[];
  /** Vigil's version, written into the file's header. */
  version: string;
}

/** node [flags] bin/vigil.js agent|hub --data-dir DIR [extra] — the argv the service starts. */
export function serviceArgv(spec: ServiceSpec): string[] {
  const flags = spec.role === 'agent' ? [...AGENT_V8_FLAGS] : [];
  return [spec.nodePath, ...flags, spec.scriptPath, spec.role, '--data-dir', spec.dataDir, ...spec.extraArgs];
}

/** The environment the service needs beyond NODE_ENV (one place for systemd, launchd and Windows). */
export function serviceEnvironment(spec: Pick<ServiceSpec, 'runtime'>): Record<string, string> {
  return spec.runtime === 'electron' ? { ELECTRON_RUN_AS_NODE: '1' } : {};
}

/** The runtime of this process: the app's Electron binary (as Node) or Node.js. */
export function currentRuntime(versions: NodeJS.ProcessVersions = process.versions): ServiceRuntime {
  return 'electron' in versions && versions.electron ? 'electron' : 'node';
}

export function describe(spec: ServiceSpec): string {
  return spec.role === 'agent' ? `Vigil agent: samples this machine into ${spec.dataDir}` : `Vigil hub: receives and serves the history of many machines (${spec.dataDir})`;
}

/** Names per OS, one place: systemd unit, launchd label, Task Scheduler folder and task. */
export function serviceNames(role: ServiceRole): { systemd: string; launchd: string; taskFolder: string; task: string } {
  return {
    systemd: `vigil-${role}.service`,
    launchd: `app.vigil.${role}`, // the tray app's appId is app.vigil.monitor
    taskFolder: '\\Vigil\\',
    task: role === 'agent' ? 'Agent' : 'Hub',
  };
}

/** bin/vigil.js of this installation (same depth from src/ under tsx and from dist/ when built). */
export function installedScriptPath(moduleUrl: string = import.meta.url): string {
  return path.resolve(path.dirname(new URL(moduleUrl).pathname), '../../../bin/vigil.js');
}
