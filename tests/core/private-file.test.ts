import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { windowsPrivateAcl, writePrivateFile } from '../../src/core/private-file.js';
import { writeSecretFile } from '../../src/main/secrets.js';
import { VigilError } from '../../src/shared/errors.js';
import { tempDir } from '../helpers/tmp.js';

describe('private files (secrets)', () => {
  it('Linux and macOS: mode 0600 from creation', () => {
    const file = path.join(tempDir(), 'sync-token');
    writePrivateFile(file, 'secret\n', { platform: 'linux' });
    expect(fs.readFileSync(file, 'utf8')).toBe('secret\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('Windows: the ACL is set on the empty file before the secret goes in, then it is renamed into place', () => {
    const dir = tempDir();
    const file = path.join(dir, 'smtp-password');
    const restricted: { file: string; contentThen: string }[] = [];
    writePrivateFile(file, 'p4ss\n', { platform: 'win32', restrict: (target) => restricted.push({ file: target, contentThen: fs.readFileSync(target, 'utf8') }) });
    expect(restricted).toEqual([{ file: `${file}.${process.pid}.tmp`, contentThen: '' }]);
    expect(fs.readFileSync(file, 'utf8')).toBe('p4ss\n');
    expect(fs.readdirSync(dir)).toEqual(['smtp-password']);
  });

  it('Windows: icacls removes inheritance and grants only this user and SYSTEM (by SID)', () => {
    expect(windowsPrivateAcl('C:\\Users\\ann\\AppData\\Roaming\\Vigil\\sync-token', { USERDOMAIN: 'PC-7', USERNAME: 'ann' })).toEqual([
      'C:\\Users\\ann\\AppData\\Roaming\\Vigil\\sync-token',
      '/inheritance:r',
      '/grant:r',
      'PC-7\\ann:(F)',
      '/grant:r',
      '*S-1-5-18:(F)',
    ]);
  });

  it('Windows: when the ACL cannot be set, no secret is written and the settings window says why', () => {
    const dir = tempDir();
    const file = path.join(dir, 'sync-token');
    const refuse = () => {
      throw new Error('icacls could not restrict it to this user: Access is denied.');
    };
    let error: unknown;
    try {
      writeSecretFile(file, 'token-0123456789', { platform: 'win32', restrict: refuse });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).message).toBe(`Cannot write ${file}: icacls could not restrict it to this user: Access is denied.`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
