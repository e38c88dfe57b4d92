// Installs, removes and inspects the Vigil service on this OS: writes the definition (systemd unit,
// launchd plist, Task Scheduler XML) and runs the OS's own tool (systemctl, launchctl, schtasks).
// The host — OS, home, the command runner, even the file-system root for system paths — is
// injected, so tests install into a temp folder and check the commands that would run, without
// touching this machine's services.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../../shared/errors.js';
import { defaultDataDir } from '../paths.js';
import { launchdPlist, launchdPlistPath } from './launchd.js';
import { currentRuntime, serviceNames, type ServiceRole, type ServiceRuntime, type ServiceScope, type ServiceSpec } from './spec.js';
import { systemdEnvironmentFile, systemdUnit, systemdUnitPath, systemStateDirectory } from './systemd.js';
import { scheduledTaskXml, taskName, utf16le } from './windows.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ServiceHost {
  platform: NodeJS.Platform;
  home: string;
  /** Prefix for system-wide paths (/etc/systemd/system, /Library/LaunchDaemons); '' is the real root. */
  root: string;
  /** null on Windows. */
  uid: number | null;
  env: NodeJS.ProcessEnv;
  nodePath: string;
  /** What nodePath is (spec.ts, ServiceRuntime). */
  runtime: ServiceRuntime;
  scriptPath: string;
  version: string;
  run(command: string, args: readonly string[]): Promise<CommandResult>;
}

export interface ServiceRequest {
  role: ServiceRole;
  scope: ServiceScope;
  /** --data-dir as given (resolved here); default: the per-user data folder, or the system one. */
  dataDir?: string;
  extraArgs?: readonly string[];
}

export interface Step {
  argv: readonly string[];
  /** A failure here is expected in some states (stopping what is not running) and ignored. */
  mayFail?: boolean;
}

export interface ServicePlan {
  spec: ServiceSpec;
  /** Human name: vigil-agent.service, app.vigil.agent, \Vigil\Agent. */
  name: string;
  /** Where the definition is written. */
  file: string;
  /** The definition as text (what --dry-run prints). */
  content: string;
  /** The bytes written (UTF-16 for Task Scheduler). */
  bytes: Buffer;
  /** Run after writing the file. */
  install: Step[];
  /** Run before removing the file. */
  uninstall: Step[];
  /** Run after removing the file. */
  afterUninstall: Step[];
  status: Step;
  /** Things the admin should know (lingering, tokens, logs, permissions). */
  notes: string[];
  /**
   * Why this plan may be shown (--dry-run, status) but not carried out, e.g. a user service as
   * root; null when it can be installed.
   */
  refusal: string | null;
}

export function planService(request: ServiceRequest, host: ServiceHost): ServicePlan {
  const platform = host.platform === 'darwin' || host.platform === 'win32' ? host.platform : 'linux';
  if (host.platform !== platform) throw new VigilError('invalid_argument', `Running as a service is supported on Linux (systemd), macOS (launchd) and Windows (Task Scheduler), not on ${host.platform}`);
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const spec: ServiceSpec = {
    role: request.role,
    scope: request.scope,
    nodePath: host.nodePath,
    runtime: host.runtime,
    scriptPath: host.scriptPath,
    dataDir: resolveServiceDataDir(request, host, platform),
    extraArgs: request.extraArgs ?? [],
    version: host.version,
  };
  const names = serviceNames(request.role);
  const logsHint = `Its log: vigil logs${request.role === 'hub' ? ' --hub' : ''} --data-dir ${quoteForShell(spec.dataDir, platform)}${request.scope === 'system' && platform !== 'win32' ? ' (as root)' : ''}`;

  if (platform === 'linux') {
    // root's own user manager rarely runs (no login session): sudo would install a unit nobody
    // starts. Showing it (--dry-run) and asking its state are harmless, so only doing is refused.
    const refusal =
      request.scope === 'user' && host.uid === 0
        ? 'A user service belongs to a logged-in user: run this as that user (without sudo), or pass --system for a machine-wide service'
        : null;
    const user = request.scope === 'user';
    const systemctl = user ? ['systemctl', '--user'] : ['systemctl'];
    const content = systemdUnit(spec);
    const notes = [logsHint];
    if (user) notes.push(`It runs while you are logged in; to start it at boot and keep it running after logout: loginctl enable-linger ${host.env.USER ?? host.env.LOGNAME ?? '$USER'}`);
    else {
      notes.push(...unreachableFromSystemUnit(host.nodePath, 'run it with a Node.js installed system-wide (e.g. /usr/bin/node)'));
      notes.push(...unreachableFromSystemUnit(host.scriptPath, 'install Vigil system-wide first (npm install -g)'));
    }
    notes.push(`Access tokens (VIGIL_TOKEN, VIGIL_HUB_TOKEN) go in ${systemdEnvironmentFile(spec)} (mode 0600), never in the unit file`);
    return {
      spec,
      name: names.systemd,
      file: systemdUnitPath(spec, { home: host.home, root: host.root }),
      content,
      bytes: Buffer.from(content, 'utf8'),
      install: [{ argv: [...systemctl, 'daemon-reload'] }, { argv: [...systemctl, 'enable', names.systemd] }, { argv: [...systemctl, 'restart', names.systemd] }],
      uninstall: [{ argv: [...systemctl, 'disable', '--now', names.systemd], mayFail: true }],
      afterUninstall: [{ argv: [...systemctl, 'daemon-reload'] }],
      status: { argv: [...systemctl, 'show', names.systemd, '--property=LoadState,ActiveState,SubState,UnitFileState,MainPID,Result,ExecMainStartTimestamp'] },
      notes,
      refusal,
    };
  }

  if (platform === 'darwin') {
    const domain = request.scope === 'system' ? 'system' : `gui/${host.uid ?? 0}`;
    const target = `${domain}/${names.launchd}`;
    const file = launchdPlistPath(spec, { home: host.home, root: host.root });
    const content = launchdPlist(spec);
    return {
      spec,
      name: names.launchd,
      file,
      content,
      bytes: Buffer.from(content, 'utf8'),
      // bootout first, so that a re-install replaces the loaded job with the new definition.
      install: [{ argv: ['launchctl', 'bootout', target], mayFail: true }, { argv: ['launchctl', 'enable', target] }, { argv: ['launchctl', 'bootstrap', domain, file] }],
      uninstall: [{ argv: ['launchctl', 'bootout', target], mayFail: true }],
      afterUninstall: [],
      status: { argv: ['launchctl', 'print', target] },
      notes: [logsHint, request.scope === 'system' ? 'It runs at boot, as root.' : 'It runs while you are logged in, and starts at each login.'],
      refusal: null,
    };
  }

  const name = taskName(spec);
  const userId = `${host.env.USERDOMAIN ?? host.env.COMPUTERNAME ?? '.'}\\${host.env.USERNAME ?? 'user'}`;
  const content = scheduledTaskXml(spec, { userId });
  return {
    spec,
    name,
    // Kept beside the data, so the definition that was registered can be read later.
    file: paths.join(spec.dataDir, `vigil-${request.role}.task.xml`),
    content,
    bytes: utf16le(content),
    install: [{ argv: ['schtasks', '/Create', '/TN', name, '/XML', paths.join(spec.dataDir, `vigil-${request.role}.task.xml`), '/F'] }, { argv: ['schtasks', '/Run', '/TN', name] }],
    uninstall: [{ argv: ['schtasks', '/End', '/TN', name], mayFail: true }, { argv: ['schtasks', '/Delete', '/TN', name, '/F'] }],
    afterUninstall: [],
    status: { argv: ['powershell', '-NoProfile', '-NonInteractive', '-Command', windowsStatusScript(request.role)] },
    notes: [logsHint, request.scope === 'system' ? 'It runs at boot as SYSTEM (installing it needs an administrator prompt).' : 'It runs at each logon of this user.'],
    refusal: null,
  };
}

function resolveServiceDataDir(request: ServiceRequest, host: ServiceHost, platform: 'linux' | 'darwin' | 'win32'): string {
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const sub = (dir: string) => (request.role === 'hub' ? paths.join(dir, 'hub') : dir);
  if (request.scope === 'system') {
    if (platform === 'linux') {
      if (request.dataDir) {
        throw new VigilError('invalid_argument', `A system service keeps its data in /var/lib/${systemStateDirectory(request.role)}, which systemd creates for its dynamic user; --data-dir is for user services`);
      }
      return `/var/lib/${systemStateDirectory(request.role)}`;
    }
    if (request.dataDir) return paths.resolve(request.dataDir);
    return platform === 'darwin' ? sub('/Library/Application Support/Vigil') : sub(paths.join(host.env.ProgramData ?? 'C:\\ProgramData', 'Vigil'));
  }
  if (request.dataDir) return paths.resolve(request.dataDir);
  if (request.role === 'hub' && host.env.VIGIL_HUB_DATA_DIR) return paths.resolve(host.env.VIGIL_HUB_DATA_DIR);
  return sub(defaultDataDir(host.env, platform, host.home));
}

function windowsStatusScript(role: ServiceRole): string {
  const names = serviceNames(role);
  return [
    `$t = Get-ScheduledTask -TaskPath '${names.taskFolder}' -TaskName '${names.task}' -ErrorAction SilentlyContinue`,
    "if ($t) { $i = $t | Get-ScheduledTaskInfo; \"State=$($t.State)\"; \"LastTaskResult=$($i.LastTaskResult)\"; \"LastRunTime=$($i.LastRunTime)\" } else { 'State=NotInstalled' }",
  ].join('; ');
}

function quoteForShell(text: string, platform: string): string {
  if (/^[A-Za-z0-9_@%+=:,./\\-]+$/.test(text)) return text;
  return platform === 'win32' ? `"${text}"` : `'${text.replace(/'/g, "'\\''")}'`;
}

// ---- doing it -----------------------------------------------------------------------------------

export async function installService(plan: ServicePlan, host: ServiceHost, say: (line: string) => void = () => {}): Promise<void> {
  if (plan.refusal) throw new VigilError('invalid_argument', plan.refusal);
  try {
    fs.mkdirSync(path.dirname(plan.file), { recursive: true });
    fs.writeFileSync(plan.file, plan.bytes, { mode: 0o644 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EACCES' || code === 'EPERM' ? (plan.spec.scope === 'system' ? ' (a system service needs root: run with sudo)' : '') : '';
    throw new VigilError('io_error', `Cannot write ${plan.file}: ${code ?? String(error)}${hint}`, { cause: error });
  }
  say(`wrote ${plan.file}`);
  await runSteps(plan.install, host, say);
}

export async function uninstallService(plan: ServicePlan, host: ServiceHost, say: (line: string) => void = () => {}): Promise<boolean> {
  if (plan.refusal) throw new VigilError('invalid_argument', plan.refusal);
  const existed = fs.existsSync(plan.file);
  await runSteps(plan.uninstall, host, say);
  if (existed) {
    try {
      fs.rmSync(plan.file);
    } catch (error) {
      throw new VigilError('io_error', `Cannot remove ${plan.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
    say(`removed ${plan.file}`);
  }
  await runSteps(plan.afterUninstall, host, say);
  return existed;
}

async function runSteps(steps: readonly Step[], host: ServiceHost, say: (line: string) => void): Promise<void> {
  for (const step of steps) {
    const [command, ...args] = step.argv;
    const result = await host.run(command!, args);
    if (result.code === 0) {
      say(`ran ${step.argv.join(' ')}`);
      continue;
    }
    if (step.mayFail) continue;
    const output = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new VigilError('io_error', `${step.argv.join(' ')} failed (exit ${result.code})${output ? `: ${output}` : ''}`);
  }
}

export interface ServiceStatus {
  name: string;
  scope: ServiceScope;
  file: string;
  /** The definition file exists. */
  installed: boolean;
  /** Running now, as far as the OS tells; null when it could not be asked. */
  running: boolean | null;
  /** The OS's own words: "active (running)", "enabled", "Ready", … */
  state: string;
  pid: number | null;
  dataDir: string;
  /** What the OS tool reported, key by key. */
  details: Record<string, string>;
}

export async function serviceStatus(plan: ServicePlan, host: ServiceHost): Promise<ServiceStatus> {
  const [command, ...args] = plan.status.argv;
  const result = await host.run(command!, args);
  const base = { name: plan.name, scope: plan.spec.scope, file: plan.file, installed: fs.existsSync(plan.file), dataDir: plan.spec.dataDir };
  if (result.code !== 0 && host.platform !== 'darwin') {
    const reason = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
    return { ...base, running: null, state: `unknown (${command} failed${reason ? `: ${reason}` : ''})`, pid: null, details: {} };
  }
  if (host.platform === 'linux') {
    const details = keyValues(result.stdout, '=');
    const pid = Number(details.MainPID);
    const running = details.ActiveState === 'active';
    const state = details.LoadState === 'not-found' ? 'not installed' : `${details.ActiveState ?? '?'} (${details.SubState ?? '?'}), ${details.UnitFileState || 'no unit file'}`;
    return { ...base, running, state, pid: pid > 0 ? pid : null, details };
  }
  if (host.platform === 'darwin') {
    if (result.code !== 0) return { ...base, running: false, state: 'not loaded', pid: null, details: {} };
    const details = keyValues(result.stdout, '=');
    const pid = Number(details.pid);
    return { ...base, running: details.state === 'running', state: details.state ?? 'loaded', pid: pid > 0 ? pid : null, details };
  }
  const details = keyValues(result.stdout, '=');
  const state = details.State ?? 'unknown';
  return { ...base, running: state === 'Running', state: state === 'NotInstalled' ? 'not installed' : state, pid: null, details };
}

/** "key = value" / "key=value" lines (systemctl show, launchctl print, our PowerShell). First occurrence wins. */
export function keyValues(text: string, separator: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const at = raw.indexOf(separator);
    if (at <= 0) continue;
    const key = raw.slice(0, at).trim();
    if (!key || key.includes(' ') || key in out) continue;
    out[key] = raw.slice(at + separator.length).trim();
  }
  return out;
}

/**
 * Warnings for the files a system unit runs (node, the script) that its sandbox hides: a home
 * folder, which its dynamic user usually cannot read, and /tmp or /var/tmp, which PrivateTmp=yes
 * replaces with an empty one of its own.
 */
function unreachableFromSystemUnit(file: string, fix: string): string[] {
  const tmp = /^(\/tmp|\/var\/tmp)\//.exec(file)?.[1];
  if (/^\/(home|root)\//.test(file)) return [`Warning: ${file} is in a home folder, which the service's dynamic system user usually cannot read: ${fix}`];
  if (tmp) return [`Warning: ${file} is under ${tmp}, which this unit cannot see (PrivateTmp=yes gives it a ${tmp} of its own): ${fix}`];
  return [];
}

/** The real host: this process's OS, home, node and script, and child processes for the tools. */
export function currentHost(options: { scriptPath: string; version: string; home: string }): ServiceHost {
  return {
    platform: process.platform,
    home: options.home,
    root: '',
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    env: process.env,
    nodePath: process.execPath,
    runtime: currentRuntime(),
    scriptPath: options.scriptPath,
    version: options.version,
    run: runCommand,
  };
}

export function runCommand(command: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: 127, stdout, stderr: error.code === 'ENOENT' ? `${command}: not found` : error.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
