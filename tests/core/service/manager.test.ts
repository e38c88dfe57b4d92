// Installing, removing and inspecting the service with an injected host: files go to a temp
// folder, the OS tools are a recording fake — nothing is enabled on this machine.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installService, keyValues, planService, serviceStatus, uninstallService, type CommandResult, type ServiceHost } from '../../../src/core/service/manager.js';
import { VigilError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers/tmp.js';

function fakeHost(patch: Partial<ServiceHost> = {}, answers: Record<string, CommandResult> = {}): ServiceHost & { ran: string[] } {
  const ran: string[] = [];
  const home = tempDir('vigil-home-');
  return {
    platform: 'linux',
    home,
    root: tempDir('vigil-root-'),
    uid: 1000,
    env: { USER: 'ann' },
    nodePath: '/usr/bin/node',
    runtime: 'node',
    scriptPath: '/usr/lib/node_modules/vigil/bin/vigil.js',
    version: '0.1.0',
    async run(command, args) {
      const line = [command, ...args].join(' ');
      ran.push(line);
      return answers[line] ?? { code: 0, stdout: '', stderr: '' };
    },
    ran,
    ...patch,
  };
}

describe('Linux (systemd)', () => {
  it('user service: writes the unit under ~/.config/systemd/user, reloads, enables and (re)starts it', async () => {
    const host = fakeHost();
    const plan = planService({ role: 'agent', scope: 'user' }, host);
    expect(plan.spec.dataDir).toBe(path.join(host.home, '.config/Vigil'));
    expect(plan.file).toBe(path.join(host.home, '.config/systemd/user/vigil-agent.service'));
    const said: string[] = [];
    await installService(plan, host, (line) => said.push(line));
    expect(fs.readFileSync(plan.file, 'utf8')).toBe(plan.content);
    expect(fs.statSync(plan.file).mode & 0o777).toBe(0o644);
    expect(host.ran).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable vigil-agent.service', 'systemctl --user restart vigil-agent.service']);
    expect(said[0]).toBe(`wrote ${plan.file}`);
    expect(plan.notes.join('\n')).toMatch(/loginctl enable-linger ann/);

    host.ran.length = 0;
    expect(await uninstallService(plan, host)).toBe(true);
    expect(fs.existsSync(plan.file)).toBe(false);
    expect(host.ran).toEqual(['systemctl --user disable --now vigil-agent.service', 'systemctl --user daemon-reload']);
    expect(await uninstallService(plan, host)).toBe(false);
  });

  it('system service: /etc/systemd/system, /var/lib/vigil, no --data-dir; hub with its address', async () => {
    const host = fakeHost({ uid: 0 });
    const plan = planService({ role: 'hub', scope: 'system', extraArgs: ['--host', '0.0.0.0', '--port', '7471'] }, host);
    expect(plan.file).toBe(path.join(host.root, 'etc/systemd/system/vigil-hub.service'));
    expect(plan.spec.dataDir).toBe('/var/lib/vigil-hub');
    await installService(plan, host);
    expect(host.ran).toEqual(['systemctl daemon-reload', 'systemctl enable vigil-hub.service', 'systemctl restart vigil-hub.service']);
    expect(fs.readFileSync(plan.file, 'utf8')).toContain('hub --data-dir /var/lib/vigil-hub --host 0.0.0.0 --port 7471\n');
    expect(plan.notes.join('\n')).toMatch(/VIGIL_HUB_TOKEN\) go in \/etc\/vigil\/vigil-hub\.env/);
    expect(() => planService({ role: 'agent', scope: 'system', dataDir: '/srv/vigil' }, host)).toThrow(/keeps its data in \/var\/lib\/vigil/);
    // A checkout in a home folder is unreadable for the dynamic user: said before it fails.
    expect(planService({ role: 'agent', scope: 'system' }, fakeHost({ scriptPath: '/home/ann/vigil/bin/vigil.js' })).notes.join('\n')).toMatch(/Warning: .* home folder/);
  });

  it('system service from a checkout (or a node) under /tmp or /var/tmp: warned, since PrivateTmp hides them from the unit', () => {
    const warnings = (patch: Partial<ServiceHost>, scope: 'system' | 'user' = 'system') =>
      planService({ role: 'agent', scope }, fakeHost(patch)).notes.filter((note) => note.startsWith('Warning:'));
    const plan = planService({ role: 'agent', scope: 'system' }, fakeHost({ scriptPath: '/tmp/vigil/bin/vigil.js' }));
    expect(plan.content).toContain('PrivateTmp=yes');
    expect(plan.content).toContain('/tmp/vigil/bin/vigil.js');
    expect(warnings({ scriptPath: '/tmp/vigil/bin/vigil.js' })).toEqual([
      'Warning: /tmp/vigil/bin/vigil.js is under /tmp, which this unit cannot see (PrivateTmp=yes gives it a /tmp of its own): install Vigil system-wide first (npm install -g)',
    ]);
    expect(warnings({ scriptPath: '/var/tmp/checkout/bin/vigil.js' })).toEqual([expect.stringMatching(/^Warning: \/var\/tmp\/checkout\/bin\/vigil\.js is under \/var\/tmp, which this unit cannot see/)]);
    // The node that runs it too (nvm puts it in a home folder; an unpacked tarball may sit in /tmp).
    expect(warnings({ nodePath: '/tmp/node-v22/bin/node' })).toEqual([expect.stringMatching(/^Warning: \/tmp\/node-v22\/bin\/node is under \/tmp.*: run it with a Node.js installed system-wide/)]);
    expect(warnings({ nodePath: '/home/ann/.nvm/versions/node/v22/bin/node' })).toEqual([expect.stringMatching(/^Warning: \/home\/ann\/\.nvm\/.* is in a home folder/)]);
    // Not a prefix match on names: /tmpfiles is not /tmp.
    expect(warnings({ scriptPath: '/tmpfiles/vigil/bin/vigil.js' })).toEqual([]);
    expect(warnings({})).toEqual([]);
    // A user unit has no PrivateTmp: nothing to warn about.
    expect(planService({ role: 'agent', scope: 'user' }, fakeHost({ scriptPath: '/tmp/vigil/bin/vigil.js' })).content).not.toContain('PrivateTmp');
    expect(warnings({ scriptPath: '/tmp/vigil/bin/vigil.js' }, 'user')).toEqual([]);
  });

  it('a user service as root can be shown but not installed; a failing systemctl is a clear error, a tolerated one is not', async () => {
    const root = fakeHost({ uid: 0 });
    const asRoot = planService({ role: 'agent', scope: 'user' }, root);
    expect(asRoot.refusal).toMatch(/run this as that user \(without sudo\), or pass --system/);
    await expect(installService(asRoot, root)).rejects.toThrow(/pass --system/);
    await expect(uninstallService(asRoot, root)).rejects.toThrow(/pass --system/);
    expect(fs.existsSync(asRoot.file)).toBe(false);
    expect(root.ran).toEqual([]);
    const host = fakeHost({}, { 'systemctl --user daemon-reload': { code: 1, stdout: '', stderr: 'Failed to connect to bus: No medium found\n' } });
    const plan = planService({ role: 'agent', scope: 'user', dataDir: '/srv/vigil data' }, host);
    expect(plan.content).toContain('--data-dir "/srv/vigil data"');
    const error = await installService(plan, host).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).message).toBe('systemctl --user daemon-reload failed (exit 1): Failed to connect to bus: No medium found');
    // disable on a unit that is not loaded fails, and that is fine.
    const quiet = fakeHost({}, { 'systemctl --user disable --now vigil-agent.service': { code: 5, stdout: '', stderr: 'not loaded' } });
    await expect(uninstallService(planService({ role: 'agent', scope: 'user' }, quiet), quiet)).resolves.toBe(false);
  });

  it('an unwritable target says what to do', async () => {
    const host = fakeHost({ uid: 0 });
    const plan = planService({ role: 'agent', scope: 'system' }, host);
    fs.mkdirSync(path.join(host.root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(host.root, 'etc/systemd'), 'a file where a folder should be');
    await expect(installService(plan, host)).rejects.toThrow(/Cannot write .*vigil-agent\.service: (ENOTDIR|EEXIST)/);
    expect(host.ran).toEqual([]);
  });

  it('status reads systemctl show', async () => {
    const show = 'LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\nMainPID=4242\nResult=success\n';
    const host = fakeHost({}, { 'systemctl --user show vigil-agent.service --property=LoadState,ActiveState,SubState,UnitFileState,MainPID,Result,ExecMainStartTimestamp': { code: 0, stdout: show, stderr: '' } });
    const plan = planService({ role: 'agent', scope: 'user' }, host);
    await installService(plan, host);
    expect(await serviceStatus(plan, host)).toMatchObject({ installed: true, running: true, state: 'active (running), enabled', pid: 4242, name: 'vigil-agent.service', scope: 'user' });
    const down = fakeHost({}, { [host.ran.at(-1)!]: { code: 1, stdout: '', stderr: 'Failed to connect to bus\n' } });
    const unknown = await serviceStatus(planService({ role: 'agent', scope: 'user' }, down), { ...down, run: async () => ({ code: 1, stdout: '', stderr: 'Failed to connect to bus\n' }) });
    expect(unknown).toMatchObject({ installed: false, running: null, state: 'unknown (systemctl failed: Failed to connect to bus)' });
  });
});

describe('macOS (launchd)', () => {
  it('LaunchAgent in ~/Library/LaunchAgents, bootstrapped into the gui domain; LaunchDaemon for --system', async () => {
    const host = fakeHost({ platform: 'darwin', uid: 501 });
    const plan = planService({ role: 'agent', scope: 'user' }, host);
    expect(plan.spec.dataDir).toBe(`${host.home}/Library/Application Support/Vigil`);
    expect(plan.file).toBe(`${host.home}/Library/LaunchAgents/app.vigil.agent.plist`);
    await installService(plan, host);
    expect(host.ran).toEqual(['launchctl bootout gui/501/app.vigil.agent', 'launchctl enable gui/501/app.vigil.agent', `launchctl bootstrap gui/501 ${plan.file}`]);
    host.ran.length = 0;
    await uninstallService(plan, host);
    expect(host.ran).toEqual(['launchctl bootout gui/501/app.vigil.agent']);
    expect(fs.existsSync(plan.file)).toBe(false);

    const system = planService({ role: 'hub', scope: 'system' }, host);
    expect(system.file).toBe(`${host.root}/Library/LaunchDaemons/app.vigil.hub.plist`);
    expect(system.spec.dataDir).toBe('/Library/Application Support/Vigil/hub');
    expect(system.install.at(-1)!.argv).toEqual(['launchctl', 'bootstrap', 'system', system.file]);
  });

  it('status reads launchctl print; not loaded is not running', async () => {
    const print = 'app.vigil.agent = {\n\tactive count = 1\n\tpath = /x.plist\n\tstate = running\n\tprogram = /usr/local/bin/node\n\tpid = 777\n}\n';
    const host = fakeHost({ platform: 'darwin', uid: 501 }, { 'launchctl print gui/501/app.vigil.agent': { code: 0, stdout: print, stderr: '' } });
    const plan = planService({ role: 'agent', scope: 'user' }, host);
    expect(await serviceStatus(plan, host)).toMatchObject({ running: true, state: 'running', pid: 777 });
    const gone = fakeHost({ platform: 'darwin', uid: 501 }, { 'launchctl print gui/501/app.vigil.agent': { code: 113, stdout: '', stderr: 'Could not find service' } });
    expect(await serviceStatus(planService({ role: 'agent', scope: 'user' }, gone), gone)).toMatchObject({ running: false, state: 'not loaded' });
  });
});

describe('Windows (Task Scheduler)', () => {
  it('registers the task from XML kept in the data folder, runs it; SYSTEM task under ProgramData', () => {
    const host = fakeHost({ platform: 'win32', uid: null, home: 'C:\\Users\\ann', env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming', USERDOMAIN: 'PC', USERNAME: 'ann', ProgramData: 'C:\\ProgramData' }, nodePath: 'C:\\Program Files\\nodejs\\node.exe', scriptPath: 'C:\\vigil\\bin\\vigil.js' });
    const plan = planService({ role: 'agent', scope: 'user' }, host);
    expect(plan.spec.dataDir).toBe('C:\\Users\\ann\\AppData\\Roaming\\Vigil');
    expect(plan.file).toBe('C:\\Users\\ann\\AppData\\Roaming\\Vigil\\vigil-agent.task.xml');
    expect(plan.install.map((s) => s.argv.join(' '))).toEqual([`schtasks /Create /TN \\Vigil\\Agent /XML ${plan.file} /F`, 'schtasks /Run /TN \\Vigil\\Agent']);
    expect(plan.uninstall.map((s) => s.argv.join(' '))).toEqual(['schtasks /End /TN \\Vigil\\Agent', 'schtasks /Delete /TN \\Vigil\\Agent /F']);
    expect(plan.content).toContain('<UserId>PC\\ann</UserId>');
    expect(plan.bytes.subarray(2).toString('utf16le')).toBe(plan.content);
    const system = planService({ role: 'hub', scope: 'system' }, host);
    expect(system.spec.dataDir).toBe('C:\\ProgramData\\Vigil\\hub');
    expect(system.name).toBe('\\Vigil\\Hub');
  });

  it('status from Get-ScheduledTask', async () => {
    const host = fakeHost({ platform: 'win32', uid: null, home: 'C:\\Users\\ann', env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' } });
    const plan = planService({ role: 'agent', scope: 'user' }, host);
    const running = { ...host, run: async () => ({ code: 0, stdout: 'State=Running\r\nLastTaskResult=267009\r\nLastRunTime=11/22/2026 09:00:00\r\n', stderr: '' }) };
    expect(await serviceStatus(plan, running)).toMatchObject({ running: true, state: 'Running', details: { LastTaskResult: '267009' } });
    const absent = { ...host, run: async () => ({ code: 0, stdout: 'State=NotInstalled\r\n', stderr: '' }) };
    expect(await serviceStatus(plan, absent)).toMatchObject({ running: false, state: 'not installed' });
  });
});

it('refuses other OSes; keyValues reads both separators', () => {
  expect(() => planService({ role: 'agent', scope: 'user' }, fakeHost({ platform: 'freebsd' }))).toThrow(/not on freebsd/);
  expect(keyValues('a=1\n b = two \nnot a pair\na=3\n', '=')).toEqual({ a: '1', b: 'two' });
});
