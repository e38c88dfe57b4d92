import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartDir, createAutostart, desktopEntry, desktopExecArg, launchCommand, linuxAutostart, loginItemSettings, type LaunchInfo } from '../../../src/main/platform/autostart.js';
import { hasBinary } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';

const launch = (patch: Partial<LaunchInfo> = {}): LaunchInfo => ({ platform: 'linux', execPath: '/opt/Vigil/vigil', isPackaged: true, appPath: '/opt/Vigil/resources/app.asar', env: {}, ...patch });

describe('autostart: the command', () => {
  it('packaged: the app binary; `electron .`: Electron with the app folder; AppImage: $APPIMAGE', () => {
    expect(launchCommand(launch())).toEqual(['/opt/Vigil/vigil']);
    expect(launchCommand(launch({ isPackaged: false, execPath: '/repo/node_modules/electron/dist/electron', appPath: '/repo' }))).toEqual(['/repo/node_modules/electron/dist/electron', '/repo']);
    expect(launchCommand(launch({ execPath: '/tmp/.mount_VigilAb12/vigil', env: { APPIMAGE: '/home/me/Apps/Vigil-0.1.0.AppImage' } }))).toEqual(['/home/me/Apps/Vigil-0.1.0.AppImage']);
    // $APPIMAGE means nothing elsewhere.
    expect(launchCommand(launch({ platform: 'win32', execPath: 'C:\\Vigil\\Vigil.exe', env: { APPIMAGE: '/x' } }))).toEqual(['C:\\Vigil\\Vigil.exe']);
  });

  it('login items: macOS just on/off; Windows the executable and quoted arguments', () => {
    expect(loginItemSettings(launch({ platform: 'darwin' }), true)).toEqual({ openAtLogin: true });
    expect(loginItemSettings(launch({ platform: 'win32', execPath: 'C:\\Program Files\\Vigil\\Vigil.exe' }), false)).toEqual({ openAtLogin: false, path: 'C:\\Program Files\\Vigil\\Vigil.exe', args: [] });
    expect(loginItemSettings(launch({ platform: 'win32', isPackaged: false, execPath: 'C:\\e\\electron.exe', appPath: 'C:\\My Code\\vigil' }), true)).toEqual({
      openAtLogin: true,
      path: 'C:\\e\\electron.exe',
      args: ['"C:\\My Code\\vigil"'],
    });
  });
});

describe('autostart: the XDG .desktop entry', () => {
  it('escapes Exec arguments by the Desktop Entry rules', () => {
    expect(desktopExecArg('/opt/Vigil/vigil')).toBe('/opt/Vigil/vigil');
    expect(desktopExecArg('/home/me/My Apps/Vigil.AppImage')).toBe('"/home/me/My Apps/Vigil.AppImage"');
    expect(desktopExecArg('/a/"b"/$c/`d`')).toBe('"/a/\\\\"b\\\\"/\\\\$c/\\\\`d\\\\`"');
    expect(desktopExecArg('/a\\b c')).toBe('"/a\\\\\\\\b c"');
    expect(desktopExecArg('/100%/x')).toBe('/100%%/x');
    expect(() => desktopExecArg('/a\nb')).toThrow(/Cannot write/);
    expect(() => desktopExecArg('')).toThrow(/Cannot write/);
  });

  it('entry text, under $XDG_CONFIG_HOME/autostart', () => {
    const text = desktopEntry(['/home/me/My Apps/Vigil-0.1.0.AppImage']);
    expect(text).toContain('Exec="/home/me/My Apps/Vigil-0.1.0.AppImage"\n');
    expect(text.startsWith('[Desktop Entry]\nType=Application\n')).toBe(true);
    expect(autostartDir({ XDG_CONFIG_HOME: '/x/config' }, '/home/me')).toBe('/x/config/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/me')).toBe('/home/me/.config/autostart');
    expect(autostartDir({}, '/home/me')).toBe('/home/me/.config/autostart');
  });

  it('desktop-file-validate accepts the entry, awkward paths included', (context) => {
    if (!hasBinary('desktop-file-validate')) {
      if (process.env.CI === 'true') throw new Error('desktop-file-validate is missing (Debian: desktop-file-utils)');
      context.skip('desktop-file-validate is not installed (Debian: desktop-file-utils)');
    }
    for (const command of [['/opt/Vigil/vigil'], ['/home/me/My Apps/Vigil "new" $1 100%.AppImage'], ['/usr/bin/electron', '/home/me/code/vigil']]) {
      const file = path.join(tempDir(), 'vigil.desktop');
      fs.writeFileSync(file, desktopEntry(command));
      // Exits non-zero on errors; hints are printed but do not fail.
      const output = execFileSync('desktop-file-validate', [file], { encoding: 'utf8' });
      expect(output, command.join(' ')).not.toMatch(/error:/);
    }
  });

  it('turning it on writes the file, off removes it; the state is read back from disk', () => {
    const home = tempDir('vigil-home-');
    const autostart = linuxAutostart(launch({ env: { APPIMAGE: '/home/me/Vigil.AppImage' } }), home);
    expect(autostart.file).toBe(path.join(home, '.config', 'autostart', 'vigil.desktop'));
    expect(autostart.isEnabled()).toBe(false);
    autostart.setEnabled(true);
    expect(autostart.isEnabled()).toBe(true);
    expect(fs.readFileSync(autostart.file, 'utf8')).toContain('Exec=/home/me/Vigil.AppImage\n');
    expect(fs.readdirSync(path.dirname(autostart.file))).toEqual(['vigil.desktop']);
    autostart.setEnabled(false);
    expect(fs.existsSync(autostart.file)).toBe(false);
    autostart.setEnabled(false);
    // Someone else's vigil.desktop (not written by us) does not count as ours.
    fs.writeFileSync(autostart.file, '[Desktop Entry]\nType=Application\nName=Other\nExec=other\n');
    expect(autostart.isEnabled()).toBe(false);
  });

  it('an unwritable autostart folder is a clear io_error', () => {
    const home = tempDir('vigil-home-');
    fs.writeFileSync(path.join(home, '.config'), 'a file where the folder should be');
    const autostart = linuxAutostart(launch(), home);
    expect(() => autostart.setEnabled(true)).toThrow(/Cannot write .*vigil\.desktop/);
  });

  it('createAutostart picks login items on macOS and Windows, the .desktop file on Linux', () => {
    const calls: unknown[] = [];
    const app = {
      setLoginItemSettings: (settings: unknown) => calls.push(settings),
      getLoginItemSettings: (options?: unknown) => (calls.push({ get: options ?? null }), { openAtLogin: true }),
    };
    const mac = createAutostart(app, launch({ platform: 'darwin' }));
    expect(mac.isEnabled()).toBe(true);
    mac.setEnabled(false);
    const win = createAutostart(app, launch({ platform: 'win32', execPath: 'C:\\Vigil\\Vigil.exe' }));
    win.isEnabled();
    expect(calls).toEqual([{ get: null }, { openAtLogin: false }, { get: { path: 'C:\\Vigil\\Vigil.exe', args: [] } }]);
    const home = tempDir('vigil-home-');
    createAutostart(app, launch(), home).setEnabled(true);
    expect(fs.existsSync(path.join(home, '.config', 'autostart', 'vigil.desktop'))).toBe(true);
  });
});
