import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TRAY_STATUSES, trayIcon, trayIconPath, trayStatus } from '../../../src/main/tray/icons.js';

const assets = fileURLToPath(new URL('../../../assets', import.meta.url));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const data = fs.readFileSync(file);
  expect(data.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return [data.readUInt32BE(16), data.readUInt32BE(20)];
}

/** Frame sizes listed in an .ico directory (0 means 256). */
function icoSizes(file: string): number[] {
  const data = fs.readFileSync(file);
  expect(data.readUInt16LE(2)).toBe(1);
  const count = data.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => data.readUInt8(6 + 16 * i) || 256);
}

describe('tray icons', () => {
  it('one file per platform and state', () => {
    expect(trayIcon('darwin', 'normal')).toEqual({ file: 'trayTemplate.png', template: true });
    expect(trayIcon('darwin', 'peer-down')).toEqual({ file: 'tray-peer-downTemplate.png', template: true });
    expect(trayIcon('win32', 'sync-failing')).toEqual({ file: 'tray-sync-failing.ico', template: false });
    expect(trayIcon('linux', 'normal')).toEqual({ file: 'tray.png', template: false });
    expect(trayIcon('freebsd', 'peer-down')).toEqual({ file: 'tray-peer-down.png', template: false });
  });

  it('a peer down outranks a failing sync', () => {
    expect(trayStatus({ peersDown: [], syncFailing: false })).toBe('normal');
    expect(trayStatus({ peersDown: [], syncFailing: true })).toBe('sync-failing');
    expect(trayStatus({ peersDown: ['a'], syncFailing: true })).toBe('peer-down');
  });

  it('every icon the app can ask for exists, at the right size', () => {
    for (const status of TRAY_STATUSES) {
      const mac = trayIconPath(assets, 'darwin', status);
      expect(pngSize(mac)).toEqual([16, 16]);
      expect(pngSize(mac.replace(/\.png$/, '@2x.png'))).toEqual([32, 32]);
      expect(pngSize(trayIconPath(assets, 'linux', status))).toEqual([32, 32]);
      expect(icoSizes(trayIconPath(assets, 'win32', status))).toEqual([16, 20, 24, 32, 40, 48]);
    }
  });

  it('macOS template images are black and transparent only (the menu bar tints them)', async () => {
    const { loadImage, createCanvas } = await import('@napi-rs/canvas');
    for (const status of TRAY_STATUSES) {
      const image = await loadImage(fs.readFileSync(trayIconPath(assets, 'darwin', status)));
      const ctx = createCanvas(image.width, image.height).getContext('2d');
      ctx.drawImage(image, 0, 0);
      const pixels = ctx.getImageData(0, 0, image.width, image.height).data;
      let opaque = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] === 0) continue;
        opaque++;
        expect([pixels[i], pixels[i + 1], pixels[i + 2]]).toEqual([0, 0, 0]);
      }
      expect(opaque).toBeGreaterThan(10);
    }
  });

  it('app icons for the installers: a 1024 px PNG and a 16–256 px .ico', () => {
    expect(pngSize(path.join(assets, 'build', 'icon.png'))).toEqual([1024, 1024]);
    expect(icoSizes(path.join(assets, 'build', 'icon.ico'))).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });
});
