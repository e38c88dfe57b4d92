// assets/cli/windows-path.cjs: what the Windows installer runs (with the app's runtime) to put
// the `vigil` command's folder on the PATH and take it off. The registry calls need Windows; the
// PATH arithmetic and the reading of `reg query` output are checked here.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const { withEntry, withoutEntry, parseRegQuery, KEYS } = createRequire(import.meta.url)('../../assets/cli/windows-path.cjs') as {
  withEntry(value: string, dir: string): string;
  withoutEntry(value: string, dir: string): string;
  parseRegQuery(output: string): { type: string; value: string } | null;
  KEYS: { user: string; machine: string };
};

const BIN = 'C:\\Users\\Ann\\AppData\\Local\\Programs\\Vigil\\resources\\bin';

describe('windows-path.cjs', () => {
  it('adds the folder once, at the end, keeping the other entries and their %VARS% as written', () => {
    const before = '%USERPROFILE%\\AppData\\Local\\Microsoft\\WindowsApps;C:\\Tools';
    const after = withEntry(before, BIN);
    expect(after).toBe(`${before};${BIN}`);
    expect(withEntry(after, BIN)).toBe(after);
    // Windows compares paths without case, and a trailing backslash names the same folder.
    expect(withEntry(after, `${BIN.toUpperCase()}\\`)).toBe(after);
    expect(withEntry('', BIN)).toBe(BIN);
    expect(withEntry('C:\\Tools;;', BIN)).toBe(`C:\\Tools;${BIN}`);
  });

  it('removes only that folder', () => {
    expect(withoutEntry(`C:\\Tools;${BIN};D:\\bin`, BIN)).toBe('C:\\Tools;D:\\bin');
    expect(withoutEntry(`"${BIN}\\";C:\\Tools`, BIN)).toBe('C:\\Tools');
    expect(withoutEntry('C:\\Tools', BIN)).toBe('C:\\Tools');
    expect(withoutEntry(BIN, BIN)).toBe('');
  });

  it('reads the value and its type from `reg query` output; none when the user has no Path', () => {
    const output = `\r\nHKEY_CURRENT_USER\\Environment\r\n    Path    REG_EXPAND_SZ    %USERPROFILE%\\bin;C:\\Program Files\\Tools\r\n\r\n`;
    expect(parseRegQuery(output)).toEqual({ type: 'REG_EXPAND_SZ', value: '%USERPROFILE%\\bin;C:\\Program Files\\Tools' });
    expect(parseRegQuery('\r\nHKEY_CURRENT_USER\\Environment\r\n    Path    REG_SZ    C:\\x\r\n')).toEqual({ type: 'REG_SZ', value: 'C:\\x' });
    expect(parseRegQuery('\r\nHKEY_CURRENT_USER\\Environment\r\n    TEMP    REG_EXPAND_SZ    %USERPROFILE%\\Temp\r\n')).toBeNull();
    expect(KEYS.user).toBe('HKCU\\Environment');
    expect(KEYS.machine).toBe('HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment');
  });
});
