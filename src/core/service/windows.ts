// Windows: a Task Scheduler task, not a Windows service. A service must answer the Service
// Control Manager's protocol, which node.exe does not speak without a wrapper executable
// (WinSW, NSSM) that we would have to ship and sign; a task runs node.exe directly and does what
// we need: start at logon (this user) or at boot (--system, as SYSTEM), restart on failure, run
// without a time limit, on battery too.
//
// The definition is Task Scheduler XML (schema 1.2, Windows 7 and later), written as UTF-16 with
// a byte-order mark, the encoding `schtasks /Create /XML` expects.
import { xmlEscape } from './launchd.js';
import path from 'node:path';
import { describe, serviceArgv, serviceNames, type ServiceSpec } from './spec.js';

/** Quotes one argument the way CommandLineToArgvW (and node.exe) splits a command line. */
export function windowsQuote(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') out += '\\'.repeat(backslashes * 2 + 1) + '"';
    else out += '\\'.repeat(backslashes) + ch;
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}

/**
 * The command line the task runs. A task has no environment of its own, so when the runtime is
 * the desktop app's binary (Vigil.exe), the task runs the app's `vigil` command,
 * resources\bin\vigil.cmd, which sets ELECTRON_RUN_AS_NODE=1 (without it Vigil.exe would open
 * the tray app, not the agent) and passes the same V8 flags.
 */
export function taskCommandLine(spec: ServiceSpec): string[] {
  if (spec.runtime === 'node') return serviceArgv(spec);
  const launcher = path.win32.join(path.win32.dirname(spec.nodePath), 'resources', 'bin', 'vigil.cmd');
  return [launcher, spec.role, '--data-dir', spec.dataDir, ...spec.extraArgs];
}

export function taskName(spec: Pick<ServiceSpec, 'role'>): string {
  const names = serviceNames(spec.role);
  return `${names.taskFolder}${names.task}`;
}

export interface TaskOptions {
  /** DOMAIN\user the user task runs as (from USERDOMAIN and USERNAME). */
  userId: string;
}

export function scheduledTaskXml(spec: ServiceSpec, options: TaskOptions): string {
  const system = spec.scope === 'system';
  const [command, ...args] = taskCommandLine(spec);
  const trigger = system
    ? ['    <BootTrigger>', '      <Enabled>true</Enabled>', '    </BootTrigger>']
    : ['    <LogonTrigger>', '      <Enabled>true</Enabled>', `      <UserId>${xmlEscape(options.userId)}</UserId>`, '    </LogonTrigger>'];
  const principal = system
    ? ['    <Principal id="Author">', '      <UserId>S-1-5-18</UserId>', '      <RunLevel>HighestAvailable</RunLevel>', '    </Principal>']
    : [
        '    <Principal id="Author">',
        `      <UserId>${xmlEscape(options.userId)}</UserId>`,
        '      <LogonType>InteractiveToken</LogonType>',
        '      <RunLevel>LeastPrivilege</RunLevel>',
        '    </Principal>',
      ];
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    `<!-- Written by vigil service install (Vigil ${xmlEscape(spec.version)}). -->`,
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    `    <Description>${xmlEscape(describe(spec))}</Description>`,
    `    <URI>${xmlEscape(taskName(spec))}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    ...trigger,
    '  </Triggers>',
    '  <Principals>',
    ...principal,
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <AllowHardTerminate>true</AllowHardTerminate>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>',
    '    <IdleSettings>',
    '      <StopOnIdleEnd>false</StopOnIdleEnd>',
    '      <RestartOnIdle>false</RestartOnIdle>',
    '    </IdleSettings>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    '    <Hidden>false</Hidden>',
    '    <RunOnlyIfIdle>false</RunOnlyIfIdle>',
    '    <WakeToRun>false</WakeToRun>',
    // No time limit (the default would stop it after 72 hours).
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <Priority>7</Priority>',
    '    <RestartOnFailure>',
    '      <Interval>PT1M</Interval>',
    '      <Count>999</Count>',
    '    </RestartOnFailure>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xmlEscape(command!)}</Command>`,
    `      <Arguments>${xmlEscape(args.map(windowsQuote).join(' '))}</Arguments>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}

/** The bytes schtasks reads: UTF-16 LE with a byte-order mark. */
export function utf16le(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}
