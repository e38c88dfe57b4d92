// Files only their owner may read: the hub token, the InfluxDB token, the SMTP password.
// - Linux and macOS: mode 0600, set when the file is created.
// - Windows: the mode means nothing there (Node maps 0600 to "not read-only", and the file inherits
//   its folder's ACL, which in a shared or custom data folder may let other users read it). The
//   file gets an ACL of its own through icacls (part of every Windows since Vista): inheritance
//   removed, full control for the current user and for SYSTEM (a scheduled-task agent may run as
//   SYSTEM), nobody else. This was chosen over Electron's safeStorage because the headless agent,
//   plain Node without Electron, must read these secrets too; with safeStorage it could not.
// The ACL is set on the still-empty temporary file, before the secret is written into it, and the
// rename keeps it: the secret is never readable by others, not even for a moment.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface PrivateFileOptions {
  platform?: NodeJS.Platform;
  /** Restricts a file to the current user (Windows; default: icacls). */
  restrict?: (file: string) => void;
}

/** Writes `content` to `file` (renamed into place), readable by its owner only. */
export function writePrivateFile(file: string, content: string, options: PrivateFileOptions = {}): void {
  const platform = options.platform ?? process.platform;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    if (platform === 'win32') {
      fs.writeFileSync(temporary, '', { flag: 'w' });
      (options.restrict ?? restrictToCurrentUser)(temporary);
      fs.writeFileSync(temporary, content, { flag: 'r+' });
    } else {
      fs.writeFileSync(temporary, content, { mode: 0o600 });
      fs.chmodSync(temporary, 0o600);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** icacls arguments that leave `file` to the current user and SYSTEM only. */
export function windowsPrivateAcl(file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const user = env.USERNAME || os.userInfo().username;
  const account = env.USERDOMAIN ? `${env.USERDOMAIN}\\${user}` : user;
  // *S-1-5-18 is LocalSystem's well-known SID (a name would depend on the system's language).
  return [file, '/inheritance:r', '/grant:r', `${account}:(F)`, '/grant:r', '*S-1-5-18:(F)'];
}

function restrictToCurrentUser(file: string): void {
  try {
    execFileSync('icacls', windowsPrivateAcl(file), { windowsHide: true, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`icacls could not restrict ${file} to this user${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}
