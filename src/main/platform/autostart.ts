// "Start at login", one implementation per OS behind one interface:
// - macOS and Windows: Electron's login items (app.setLoginItemSettings): an SMAppService login
//   item on macOS 13+, the Run registry key on Windows.
// - Linux: an XDG autostart entry, ~/.config/autostart/vigil.desktop, which every desktop that
//   follows the XDG Autostart spec (GNOME, KDE, Xfce, Cinnamon, MATE, LXQt) runs at login.
//   Electron's login items do nothing on Linux.
// The file contents and every path are decided by pure functions, tested in plain Node.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings as LoginItemSettings } from 'electron';
import { VigilError } from '../../shared/errors.js';
import type { AppApi } from '../electron-api.js';

export interface Autostart {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
}

/** How the app is launched, as far as a login item needs to know. */
export interface LaunchInfo {
  platform: NodeJS.Platform;
  /** process.execPath: the app's binary (packaged) or the Electron binary (`electron .`). */
  execPath: string;
  /** false under `electron .`: the Electron binary then needs the app folder as its argument. */
  isPackaged: boolean;
  /** app.getAppPath(). */
  appPath: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The command that starts this app. An AppImage runs from a temporary mount point
 * (/tmp/.mount_Vigil…), gone after exit, so its login entry must start $APPIMAGE, the file itself.
 */
export function launchCommand(launch: LaunchInfo): string[] {
  if (launch.platform === 'linux' && launch.env.APPIMAGE) return [launch.env.APPIMAGE];
  return launch.isPackaged ? [launch.execPath] : [launch.execPath, launch.appPath];
}

/** app.setLoginItemSettings() arguments for macOS and Windows. */
export function loginItemSettings(launch: LaunchInfo, enabled: boolean): LoginItemSettings {
  if (launch.platform === 'win32') {
    const [exe, ...args] = launchCommand(launch);
    // Windows stores a command line: quote the app folder in case it holds spaces.
    return { openAtLogin: enabled, path: exe, args: args.map((arg) => `"${arg}"`) };
  }
  return { openAtLogin: enabled };
}

// ---------------------------------------------------------------- Linux (XDG autostart)

export const DESKTOP_FILE_NAME = 'vigil.desktop';

/** $XDG_CONFIG_HOME/autostart (default ~/.config/autostart). */
export function autostartDir(env: NodeJS.ProcessEnv, home: string): string {
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(configHome, 'autostart');
}

/** Characters that make an Exec argument need quotes (Desktop Entry spec, "The Exec key"). */
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * One Exec argument, escaped by the spec's two layers: quoting (inside double quotes, `"`, `` ` ``,
 * `$` and `\` take a backslash), then the string-value escape (every backslash doubled), and `%`
 * doubled so it is not read as a field code.
 */
export function desktopExecArg(arg: string): string {
  if (arg === '' || /[\n\r\0]/.test(arg)) throw new VigilError('invalid_argument', `Cannot write ${JSON.stringify(arg)} into a .desktop Exec line`);
  const quoted = RESERVED.test(arg) ? `"${arg.replace(/["`$\\]/g, '\\$&')}"` : arg;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

export function desktopEntry(command: readonly string[], options: { comment?: string } = {}): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Vigil',
    `Comment=${options.comment ?? 'System monitor in the tray'}`,
    `Exec=${command.map(desktopExecArg).join(' ')}`,
    'Icon=vigil',
    'Terminal=false',
    'Categories=System;Monitor;',
    'X-GNOME-Autostart-enabled=true',
    // Written by Vigil's "Start at login" (so turning it off removes only our own file).
    'X-Vigil-Autostart=true',
    '',
  ].join('\n');
}

export function linuxAutostart(launch: LaunchInfo, home = os.homedir()): Autostart & { file: string } {
  const file = path.join(autostartDir(launch.env, home), DESKTOP_FILE_NAME);
  return {
    file,
    isEnabled: () => {
      try {
        return fs.readFileSync(file, 'utf8').includes('X-Vigil-Autostart=true');
      } catch {
        return false;
      }
    },
    setEnabled(enabled) {
      try {
        if (enabled) {
          fs.mkdirSync(path.dirname(file), { recursive: true });
          // Written beside and renamed, so a crash never leaves a half entry the desktop would run.
          const partial = `${file}.partial`;
          fs.writeFileSync(partial, desktopEntry(launchCommand(launch)), { mode: 0o644 });
          fs.renameSync(partial, file);
        } else {
          fs.rmSync(file, { force: true });
        }
      } catch (error) {
        throw new VigilError('io_error', `Cannot ${enabled ? 'write' : 'remove'} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
      }
    },
  };
}

// ---------------------------------------------------------------- one lookup

export function createAutostart(app: Pick<AppApi, 'setLoginItemSettings' | 'getLoginItemSettings'>, launch: LaunchInfo, home = os.homedir()): Autostart {
  if (launch.platform === 'darwin' || launch.platform === 'win32') {
    return {
      isEnabled: () => {
        const settings = loginItemSettings(launch, true);
        return app.getLoginItemSettings(launch.platform === 'win32' ? { path: settings.path, args: settings.args } : undefined).openAtLogin;
      },
      setEnabled: (enabled) => app.setLoginItemSettings(loginItemSettings(launch, enabled)),
    };
  }
  return linuxAutostart(launch, home);
}
