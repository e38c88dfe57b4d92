// Puts the folder of the `vigil` command on the Windows PATH, or takes it off, for the NSIS
// installer (assets/build/installer.nsh), which runs this with the app's own runtime:
//   Vigil.exe windows-path.cjs add|remove "C:\...\resources\bin" CurrentUser|all
// The PATH is read and written in the registry with reg.exe (HKCU\Environment for a per-user
// install, the machine's Environment key for an all-users one), keeping its type (REG_EXPAND_SZ,
// so %VARS% in other entries stay unexpanded) and every other entry as it was; adding twice adds
// once. The installer broadcasts WM_SETTINGCHANGE afterwards.
'use strict';
const { execFileSync } = require('node:child_process');

const KEYS = {
  user: 'HKCU\\Environment',
  machine: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment',
};

function entries(value) {
  return value.split(';').filter((entry) => entry.trim() !== '');
}

/** Windows paths compare without case, and C:\x\ is C:\x. */
function sameFolder(a, b) {
  const normal = (text) => text.trim().replace(/^"(.*)"$/, '$1').replace(/[\\/]+$/, '').toLowerCase();
  return normal(a) === normal(b);
}

function withEntry(value, dir) {
  const list = entries(value);
  return list.some((entry) => sameFolder(entry, dir)) ? list.join(';') : [...list, dir].join(';');
}

function withoutEntry(value, dir) {
  return entries(value)
    .filter((entry) => !sameFolder(entry, dir))
    .join(';');
}

/** The Path value in `reg query KEY /v Path` output: its type and text; null when there is none. */
function parseRegQuery(output) {
  const match = /^\s+Path\s+(REG_EXPAND_SZ|REG_SZ)\s{4}(.*)$/im.exec(output);
  return match ? { type: match[1], value: match[2].replace(/\r$/, '') } : null;
}

function readPath(key) {
  try {
    return parseRegQuery(execFileSync('reg', ['query', key, '/v', 'Path'], { encoding: 'utf8', windowsHide: true })) ?? { type: 'REG_EXPAND_SZ', value: '' };
  } catch {
    return { type: 'REG_EXPAND_SZ', value: '' }; // no Path value yet (a new user)
  }
}

function main(argv) {
  const [action, dir, mode] = argv;
  if (!['add', 'remove'].includes(action) || !dir) {
    process.stderr.write('usage: windows-path.cjs add|remove FOLDER [CurrentUser|all]\n');
    return 2;
  }
  const key = mode === 'all' ? KEYS.machine : KEYS.user;
  const current = readPath(key);
  const next = action === 'add' ? withEntry(current.value, dir) : withoutEntry(current.value, dir);
  if (next === current.value) return 0;
  execFileSync('reg', ['add', key, '/v', 'Path', '/t', current.type, '/d', next, '/f'], { stdio: 'ignore', windowsHide: true });
  process.stdout.write(`${action === 'add' ? 'Added' : 'Removed'} ${dir} ${action === 'add' ? 'to' : 'from'} the PATH (${key})\n`);
  return 0;
}

module.exports = { withEntry, withoutEntry, parseRegQuery, sameFolder, KEYS };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
