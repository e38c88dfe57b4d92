// `vigil service` through the real command: --dry-run prints this machine's unit and changes
// nothing; status answers even where no systemd runs (as here); bad flag combinations exit 2.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('vigil service', () => {
  it('install --dry-run prints the unit for this node and this bin/vigil.js, and writes nothing', async () => {
    const home = tempDir('vigil-home-');
    const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), USER: 'ann' };
    // As root the user unit is still shown, with a note that installing it for real needs --system
    // (sudo would install it for root, whose user manager rarely runs).
    const asRoot = process.getuid?.() === 0;
    const user = await runVigil(['service', 'install', '--dry-run', '--data-dir', path.join(home, 'data')], { env });
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toContain(`ExecStart=${process.execPath} --no-opt --no-maglev --no-sparkplug --max-semi-space-size=1 ${path.resolve('bin/vigil.js')} agent --data-dir ${path.join(home, 'data')}\n`);
    expect(user.stderr).toContain(`# would write ${path.join(home, '.config/systemd/user/vigil-agent.service')}`);
    if (asRoot) {
      expect(user.stderr).toMatch(/^# note: A user service belongs to a logged-in user: .* pass --system .*; a real install or uninstall is refused$/m);
      // The real install is what is refused, before anything is written or run.
      const real = await runVigil(['service', 'install', '--data-dir', path.join(home, 'data')], { env });
      expect(real.code).toBe(2);
      expect(real.stderr).toMatch(/^vigil: A user service belongs to a logged-in user: .*pass --system/);
      expect(fs.existsSync(path.join(home, '.config'))).toBe(false);
    } else {
      expect(user.stderr).not.toContain('# note:');
    }
    const system = await runVigil(['service', 'install', '--system', '--hub', '--host', '0.0.0.0', '--port', '7471', '--dry-run'], { env });
    expect(system.code).toBe(0);
    expect(system.stdout).toMatch(/^# Written by `vigil service install --hub --system`/);
    expect(system.stdout).toContain(`ExecStart=${process.execPath} ${path.resolve('bin/vigil.js')} hub --data-dir /var/lib/vigil-hub --host 0.0.0.0 --port 7471\n`);
    expect(system.stderr).toContain('# would write /etc/systemd/system/vigil-hub.service');
    expect(system.stderr).toContain('# then run: systemctl enable vigil-hub.service');
    expect(fs.existsSync('/etc/systemd/system/vigil-hub.service')).toBe(false);
    expect(fs.readdirSync(home)).toEqual([]);

    const remove = await runVigil(['service', 'uninstall', '--system', '--dry-run'], { env });
    expect(remove.code).toBe(0);
    expect(remove.stderr).toBe('# would run: systemctl disable --now vigil-agent.service\n# would remove /etc/systemd/system/vigil-agent.service\n# then run: systemctl daemon-reload\n');
  });

  it('status reports what it can; flags for the hub only are refused for the agent', async () => {
    // The user service's status answers as root too (with the note), as JSON on stdout.
    const userStatus = await runVigil(['service', 'status', '--json']);
    expect(userStatus.code, userStatus.stderr).toBe(0);
    expect((JSON.parse(userStatus.stdout) as { scope: string }).scope).toBe('user');
    if (process.getuid?.() === 0) expect(userStatus.stderr).toMatch(/^vigil: note: .*pass --system/);

    const status = await runVigil(['service', 'status', '--system', '--json']);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { name: string; installed: boolean; running: boolean | null; state: string };
    expect(report.name).toBe('vigil-agent.service');
    expect(report.installed).toBe(fs.existsSync('/etc/systemd/system/vigil-agent.service'));
    expect(typeof report.state).toBe('string');

    const wrong = await runVigil(['service', 'install', '--port', '7000', '--dry-run', '--system']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--host and --port are for the hub service/);
    const dataDir = await runVigil(['service', 'install', '--system', '--data-dir', '/srv/x', '--dry-run']);
    expect(dataDir.code).toBe(2);
    expect(dataDir.stderr).toMatch(/keeps its data in \/var\/lib\/vigil/);
  });
});
