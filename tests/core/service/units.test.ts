// The generated service definitions: systemd units checked by `systemd-analyze verify` (it needs no
// running systemd), launchd plists parsed back and checked for well-formedness (xmllint here,
// plutil -lint on macOS), Task Scheduler XML checked for well-formedness and content.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchdPlist } from '../../../src/core/service/launchd.js';
import { AGENT_V8_FLAGS, currentRuntime, installedScriptPath, serviceArgv, type ServiceSpec } from '../../../src/core/service/spec.js';
import { systemdQuote, systemdUnit } from '../../../src/core/service/systemd.js';
import { scheduledTaskXml, utf16le, windowsQuote } from '../../../src/core/service/windows.js';
import { tempDir } from '../../helpers/tmp.js';

const require = createRequire(import.meta.url);
// plist is electron-builder's own (it writes the app's Info.plist with it).
const plist = require('plist') as { parse(xml: string): unknown };

const script = path.resolve('bin/vigil.js');

function spec(patch: Partial<ServiceSpec> = {}): ServiceSpec {
  return { role: 'agent', scope: 'user', nodePath: process.execPath, runtime: 'node', scriptPath: script, dataDir: '/home/ann/.config/Vigil', extraArgs: [], version: '0.1.0', ...patch };
}

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function requireTool(tool: string, pkg: string, skip: (note: string) => never): void {
  if (has(tool)) return;
  if (process.env.CI && process.platform === 'linux') throw new Error(`${tool} is required in CI (apt-get install ${pkg})`);
  skip(`${tool} is not installed (Debian package ${pkg})`);
}

/** systemd-analyze verify on a unit file: exit code and every line it printed. */
function verify(unit: string, name: string, user: boolean): { code: number | null; output: string } {
  const dir = tempDir('vigil-unit-');
  const file = path.join(dir, name);
  fs.writeFileSync(file, unit);
  const runtime = path.join(dir, 'runtime');
  fs.mkdirSync(runtime, { mode: 0o700 });
  const run = spawnSync('systemd-analyze', [...(user ? ['--user'] : []), 'verify', file], {
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' },
  });
  return { code: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

describe('the agent runs with its V8 flags', () => {
  it('AGENT_V8_FLAGS are the flags of `npm run agent` and of the services; other commands run without them', () => {
    // One-shot commands (export, chart…) get V8's optimizing compilers: the shebang has no flags.
    const shebang = fs.readFileSync(script, 'utf8').split('\n')[0]!;
    expect(shebang).toBe('#!/usr/bin/env node');
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: { agent: string } };
    expect(pkg.scripts.agent).toContain(`node ${AGENT_V8_FLAGS.join(' ')} bin/vigil.js agent`);
    expect(installedScriptPath()).toBe(script);
    expect(serviceArgv(spec())).toEqual([process.execPath, ...AGENT_V8_FLAGS, script, 'agent', '--data-dir', '/home/ann/.config/Vigil']);
    expect(serviceArgv(spec({ role: 'hub', extraArgs: ['--port', '7471'] }))).toEqual([process.execPath, script, 'hub', '--data-dir', '/home/ann/.config/Vigil', '--port', '7471']);
  });

  it.runIf(process.platform === 'linux')('`vigil agent` started by hand replaces itself with a node that has them (same pid)', async () => {
    const dataDir = tempDir('vigil-agent-flags-');
    const child = spawn(script, ['agent', '--data-dir', dataDir], { stdio: 'ignore' });
    try {
      const argvOf = () => {
        try {
          return fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        } catch {
          return [];
        }
      };
      // execve happens before the agent loads anything: poll its command line, not a fixed sleep.
      await expect.poll(() => argvOf().slice(1), { timeout: 30_000, interval: 50 }).toEqual([...AGENT_V8_FLAGS, script, 'agent', '--data-dir', dataDir]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

it("a service installed from the app's vigil command knows it runs Electron's binary", () => {
  expect(currentRuntime({ ...process.versions, electron: '41.0.0' })).toBe('electron');
  expect(currentRuntime(process.versions)).toBe('node');
});

describe('systemd', () => {
  it('a user unit: restart on failure, reload on SIGHUP, unprivileged hardening, enabled for the login session', () => {
    const unit = systemdUnit(spec());
    expect(unit).toContain(`ExecStart=${process.execPath} --no-opt --no-maglev --no-sparkplug --max-semi-space-size=1 ${script} agent --data-dir /home/ann/.config/Vigil\n`);
    for (const line of ['Restart=on-failure', 'RestartPreventExitStatus=2 75 78', 'ExecReload=/bin/kill -HUP $MAINPID', 'NoNewPrivileges=yes', 'UMask=0077', 'WantedBy=default.target', 'EnvironmentFile=-/home/ann/.config/Vigil/vigil-agent.env']) {
      expect(unit).toContain(`${line}\n`);
    }
    // Namespace options need PrivateUsers= in a user unit (see systemd.ts): none here.
    expect(unit).not.toMatch(/ProtectSystem|PrivateTmp|DynamicUser|network-online/);
  });

  it('a system unit: dynamic user, its state directory as the only writable path, full sandbox', () => {
    const unit = systemdUnit(spec({ scope: 'system', dataDir: '/var/lib/vigil' }));
    for (const line of [
      'DynamicUser=yes',
      'StateDirectory=vigil',
      'ProtectSystem=strict',
      'ProtectHome=read-only',
      'PrivateTmp=yes',
      'PrivateDevices=yes',
      'NoNewPrivileges=yes',
      'CapabilityBoundingSet=',
      'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
      'After=network-online.target',
      'WantedBy=multi-user.target',
      'EnvironmentFile=-/etc/vigil/vigil-agent.env',
    ]) {
      expect(unit).toContain(`${line}\n`);
    }
    expect(unit).toContain('--data-dir /var/lib/vigil\n');
    const hub = systemdUnit(spec({ role: 'hub', scope: 'system', dataDir: '/var/lib/vigil-hub', extraArgs: ['--host', '0.0.0.0', '--port', '7471'] }));
    expect(hub).toContain(`ExecStart=${process.execPath} ${script} hub --data-dir /var/lib/vigil-hub --host 0.0.0.0 --port 7471\n`);
    expect(hub).toContain('StateDirectory=vigil-hub\n');
    expect(hub).not.toContain('ExecReload');
  });

  it('quotes and escapes arguments the way systemd reads them', () => {
    expect(systemdQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdQuote('/data/100%')).toBe('/data/100%%');
    expect(systemdQuote('/my data/$HOME')).toBe('"/my data/$$HOME"');
    expect(systemdQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it("run by the desktop app's binary (the vigil command inside the app): ELECTRON_RUN_AS_NODE=1, or Electron would open the tray app", () => {
    const unit = systemdUnit(spec({ runtime: 'electron', nodePath: '/opt/Vigil/vigil', scriptPath: '/opt/Vigil/resources/app.asar/bin/vigil.js' }));
    expect(unit).toContain('\nEnvironment=ELECTRON_RUN_AS_NODE=1\n');
    expect(unit).toContain(`ExecStart=/opt/Vigil/vigil ${AGENT_V8_FLAGS.join(' ')} /opt/Vigil/resources/app.asar/bin/vigil.js agent`);
    expect(systemdUnit(spec())).not.toContain('ELECTRON_RUN_AS_NODE');
  });

  it('systemd-analyze verify accepts every unit without a warning (and does flag a bad one)', (context) => {
    requireTool('systemd-analyze', 'systemd', context.skip);
    // The check can fail: an unknown key is reported, a missing executable is an error.
    const bad = verify('[Service]\nExecStart=/nonexistent/node x\nRestartt=always\n', 'bad.service', false);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/Unknown key 'Restartt'/);
    expect(bad.output).toMatch(/not executable/);

    const odd = '/tmp/vigil data/100%';
    for (const [s, user] of [
      [spec(), true],
      [spec({ dataDir: odd }), true],
      [spec({ role: 'hub', dataDir: '/home/ann/.config/Vigil/hub', extraArgs: ['--port', '7471'] }), true],
      [spec({ scope: 'system', dataDir: '/var/lib/vigil' }), false],
      [spec({ role: 'hub', scope: 'system', dataDir: '/var/lib/vigil-hub', extraArgs: ['--host', '0.0.0.0'] }), false],
      [spec({ runtime: 'electron', scope: 'system', dataDir: '/var/lib/vigil' }), false],
    ] as const) {
      const result = verify(systemdUnit(s), `vigil-${s.role}.service`, user);
      expect(result, `${s.role} ${s.scope} ${s.dataDir}`).toEqual({ code: 0, output: '' });
    }
  });
});

describe('launchd', () => {
  const agent = launchdPlist(spec({ dataDir: '/Users/ann/Library/Application Support/Vigil' }));

  it('parses back to the intended job: label, argv, restart on failure only', () => {
    expect(plist.parse(agent)).toEqual({
      Label: 'app.vigil.agent',
      ProgramArguments: [process.execPath, ...AGENT_V8_FLAGS, script, 'agent', '--data-dir', '/Users/ann/Library/Application Support/Vigil'],
      EnvironmentVariables: { NODE_ENV: 'production' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      ExitTimeOut: 30,
      ProcessType: 'Background',
      Umask: 63,
    });
    const hub = plist.parse(launchdPlist(spec({ role: 'hub', scope: 'system', dataDir: '/Library/Application Support/Vigil/hub & <co>' }))) as { Label: string; ProgramArguments: string[] };
    expect(hub.Label).toBe('app.vigil.hub');
    expect(hub.ProgramArguments.at(-1)).toBe('/Library/Application Support/Vigil/hub & <co>');
  });

  it("run by the desktop app's binary: ELECTRON_RUN_AS_NODE=1 in its environment", () => {
    const job = plist.parse(launchdPlist(spec({ runtime: 'electron', nodePath: '/Applications/Vigil.app/Contents/MacOS/Vigil' }))) as { EnvironmentVariables: Record<string, string>; ProgramArguments: string[] };
    expect(job.EnvironmentVariables).toEqual({ NODE_ENV: 'production', ELECTRON_RUN_AS_NODE: '1' });
    expect(job.ProgramArguments[0]).toBe('/Applications/Vigil.app/Contents/MacOS/Vigil');
  });

  it('is well-formed XML (xmllint; plutil -lint on macOS)', (context) => {
    const file = path.join(tempDir(), 'app.vigil.agent.plist');
    fs.writeFileSync(file, agent);
    if (has('plutil')) expect(spawnSync('plutil', ['-lint', file], { encoding: 'utf8' }).status).toBe(0);
    requireTool('xmllint', 'libxml2-utils', context.skip);
    const lint = spawnSync('xmllint', ['--noout', '--nonet', file], { encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    fs.writeFileSync(file, agent.replace('</dict>\n</plist>', '</plist>'));
    expect(spawnSync('xmllint', ['--noout', '--nonet', file], { encoding: 'utf8' }).status).not.toBe(0);
  });
});

/** CommandLineToArgvW's rules, to read back what windowsQuote wrote. */
function splitWindows(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\') {
      let n = 0;
      while (line[i] === '\\') {
        n++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) current += '"';
        else inQuotes = !inQuotes;
      } else {
        current += '\\'.repeat(n);
        i--;
      }
      started = true;
    } else if (ch === '"') {
      inQuotes = !inQuotes;
      started = true;
    } else if (/\s/.test(ch) && !inQuotes) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

describe('Windows Task Scheduler', () => {
  const windowsSpec = spec({ nodePath: 'C:\\Program Files\\nodejs\\node.exe', scriptPath: 'C:\\Users\\ann\\vigil\\bin\\vigil.js', dataDir: 'C:\\Users\\ann\\AppData\\Roaming\\Vigil' });

  it('quotes arguments so that node.exe reads them back unchanged', () => {
    const args = ['plain', 'with space', 'C:\\dir with space\\', 'say "hi"', '', 'back\\\\slash', 'tail\\'];
    expect(splitWindows(args.map(windowsQuote).join(' '))).toEqual(args);
  });

  it('a logon task for this user; a boot task as SYSTEM; no time limit; restart on failure', () => {
    const user = scheduledTaskXml(windowsSpec, { userId: 'PC\\ann' });
    expect(user).toContain('<LogonTrigger>\r\n      <Enabled>true</Enabled>\r\n      <UserId>PC\\ann</UserId>');
    expect(user).toContain('<LogonType>InteractiveToken</LogonType>');
    expect(user).toContain('<RunLevel>LeastPrivilege</RunLevel>');
    expect(user).toContain('<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>');
    expect(user).toContain('<RestartOnFailure>\r\n      <Interval>PT1M</Interval>\r\n      <Count>999</Count>');
    expect(user).toContain('<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>');
    expect(user).toContain('<Command>C:\\Program Files\\nodejs\\node.exe</Command>');
    const args = /<Arguments>(.*)<\/Arguments>/.exec(user)![1]!;
    expect(splitWindows(args)).toEqual([...AGENT_V8_FLAGS, 'C:\\Users\\ann\\vigil\\bin\\vigil.js', 'agent', '--data-dir', 'C:\\Users\\ann\\AppData\\Roaming\\Vigil']);
    const system = scheduledTaskXml({ ...windowsSpec, scope: 'system', role: 'hub' }, { userId: 'PC\\ann' });
    expect(system).toContain('<BootTrigger>');
    expect(system).toContain('<UserId>S-1-5-18</UserId>');
    expect(system).toContain('<URI>\\Vigil\\Hub</URI>');
    expect(system).not.toContain('PC\\ann');
  });

  it("run by the desktop app's binary: the task runs the app's vigil.cmd (a task has no environment; it sets ELECTRON_RUN_AS_NODE=1)", () => {
    const appSpec = { ...windowsSpec, runtime: 'electron' as const, nodePath: 'C:\\Users\\ann\\AppData\\Local\\Programs\\Vigil\\Vigil.exe', scriptPath: 'C:\\Users\\ann\\AppData\\Local\\Programs\\Vigil\\resources\\app.asar\\bin\\vigil.js' };
    const task = scheduledTaskXml(appSpec, { userId: 'PC\\ann' });
    expect(task).toContain('<Command>C:\\Users\\ann\\AppData\\Local\\Programs\\Vigil\\resources\\bin\\vigil.cmd</Command>');
    expect(splitWindows(/<Arguments>(.*)<\/Arguments>/.exec(task)![1]!)).toEqual(['agent', '--data-dir', 'C:\\Users\\ann\\AppData\\Roaming\\Vigil']);
    // vigil.cmd is the installer's own (assets/cli/vigil.cmd): it sets the variable and the agent's flags.
    const launcher = fs.readFileSync('assets/cli/vigil.cmd', 'utf8');
    expect(launcher).toMatch(/^set "ELECTRON_RUN_AS_NODE=1"\r?$/m);
    expect(launcher).toContain(AGENT_V8_FLAGS.join(' '));
  });

  it('is well-formed UTF-16 XML with a byte-order mark', (context) => {
    const bytes = utf16le(scheduledTaskXml(windowsSpec, { userId: 'PC\\ann & co' }));
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    requireTool('xmllint', 'libxml2-utils', context.skip);
    const file = path.join(tempDir(), 'vigil-agent.task.xml');
    fs.writeFileSync(file, bytes);
    const lint = spawnSync('xmllint', ['--noout', '--nonet', file], { encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
