// `vigil service install|uninstall|status [--hub] [--system] [--dry-run]`: run the agent (or the
// hub) as a service of this OS — a systemd unit, a launchd job or a scheduled task (see
// src/core/service). --dry-run prints the definition and the commands instead of doing anything.
import os from 'node:os';
import { VigilError } from '../../shared/errors.js';
import { VERSION } from '../../core/version.js';
import { currentHost, installService, planService, serviceStatus, uninstallService, type ServiceHost, type ServicePlan } from '../../core/service/manager.js';
import { installedScriptPath } from '../../core/service/spec.js';

export type ServiceAction = 'install' | 'uninstall' | 'status';

export interface ServiceOptions {
  hub?: boolean;
  system?: boolean;
  dryRun?: boolean;
  dataDir?: string;
  /** The hub's listening address and port (hub only). */
  host?: string;
  port?: number;
  json?: boolean;
}

export interface ServiceIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: ServiceIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function runService(action: ServiceAction, options: ServiceOptions, host?: ServiceHost, io: ServiceIo = stdio): Promise<number> {
  if (!options.hub && (options.host !== undefined || options.port !== undefined)) {
    throw new VigilError('invalid_argument', '--host and --port are for the hub service (--hub); the agent takes its server settings from config.json');
  }
  const extraArgs: string[] = [];
  if (options.host !== undefined) extraArgs.push('--host', options.host);
  if (options.port !== undefined) extraArgs.push('--port', String(options.port));
  const theHost = host ?? currentHost({ scriptPath: installedScriptPath(), version: VERSION, home: os.homedir() });
  const plan = planService({ role: options.hub ? 'hub' : 'agent', scope: options.system ? 'system' : 'user', dataDir: options.dataDir, extraArgs }, theHost);

  // Shown and inspected, but not carried out (a user service as root): said on stderr, so that
  // stdout stays the definition or the status.
  const refusalNote = plan.refusal ? `note: ${plan.refusal}; a real install or uninstall is refused\n` : '';
  if (action === 'status') {
    if (refusalNote) io.err(`vigil: ${refusalNote}`);
    const status = await serviceStatus(plan, theHost);
    if (options.json) {
      io.out(`${JSON.stringify(status, null, 2)}\n`);
    } else {
      io.out(
        [
          `Service  ${status.name} (${status.scope}): ${status.installed ? status.state : 'not installed'}${status.pid ? `, pid ${status.pid}` : ''}`,
          `File     ${status.file}${status.installed ? '' : ' (absent)'}`,
          `Data     ${status.dataDir}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  }

  if (options.dryRun) {
    // The definition alone on stdout (so it can be redirected to a file); what would happen on stderr.
    if (action === 'install') io.out(plan.content);
    io.err(describePlan(action, plan));
    if (refusalNote) io.err(`# ${refusalNote}`);
    return 0;
  }

  const say = (line: string) => io.err(`${line}\n`);
  if (action === 'install') {
    await installService(plan, theHost, say);
    io.out(`Installed and started ${plan.name} (${plan.spec.scope}), data in ${plan.spec.dataDir}.\n${plan.notes.map((n) => `  ${n}\n`).join('')}`);
  } else {
    const existed = await uninstallService(plan, theHost, say);
    io.out(existed ? `Removed ${plan.name}. Its data stays in ${plan.spec.dataDir}.\n` : `${plan.name} was not installed (${plan.file} absent); nothing to remove.\n`);
  }
  return 0;
}

function describePlan(action: 'install' | 'uninstall', plan: ServicePlan): string {
  const lines =
    action === 'install'
      ? [`# would write ${plan.file}`, ...plan.install.map((s) => `# then run: ${s.argv.join(' ')}`), ...plan.notes.map((n) => `# ${n}`)]
      : [...plan.uninstall.map((s) => `# would run: ${s.argv.join(' ')}`), `# would remove ${plan.file}`, ...plan.afterUninstall.map((s) => `# then run: ${s.argv.join(' ')}`)];
  return `${lines.join('\n')}\n`;
}
