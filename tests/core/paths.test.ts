import { describe, expect, it } from 'vitest';
import { dataPaths, defaultDataDir } from '../../src/core/paths.js';

describe('default data dir (the same folder Electron calls userData for "Vigil")', () => {
  it('per OS', () => {
    expect(defaultDataDir({}, 'linux', '/home/ann')).toBe('/home/ann/.config/Vigil');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/ann')).toBe('/x/cfg/Vigil');
    expect(defaultDataDir({}, 'darwin', '/Users/ann')).toBe('/Users/ann/Library/Application Support/Vigil');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann')).toBe('C:\\Users\\ann\\AppData\\Roaming\\Vigil');
  });

  it('VIGIL_DATA_DIR wins', () => {
    expect(defaultDataDir({ VIGIL_DATA_DIR: '/srv/vigil' }, 'linux', '/home/ann')).toBe('/srv/vigil');
  });

  it('names every file inside it', () => {
    const paths = dataPaths('/d');
    expect(paths.database).toBe('/d/vigil.db');
    expect(paths.settings).toBe('/d/config.json');
    expect(paths.telemetry).toBe('/d/telemetry');
    expect(paths.logFile).toBe('/d/logs/vigil.log');
  });
});
