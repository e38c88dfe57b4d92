// Draws every icon the app ships, so they can be regenerated (and changed) from code:
//   npx tsx scripts/make-icons.ts
// The PNG and ICO files it writes are committed (assets/ is what electron-builder and the tray
// read; nothing draws icons at run time).
//
// - assets/tray/: per platform and state (normal, peer-down, sync-failing), see
//   src/main/tray/icons.ts for which file is used where:
//     macOS    <name>Template.png 16 px + <name>Template@2x.png 32 px: black on transparent
//              (template images: the menu bar tints them); states differ by shape, not colour;
//     Windows  <name>.ico with 16, 20, 24, 32, 40, 48 px frames (100–300 % display scaling);
//     Linux    <name>.png 32 px.
// - assets/build/: icon.png 1024 px (electron-builder makes the macOS .icns and the Linux icon
//   set from it) and icon.ico with 16–256 px frames (Windows installer and executable).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';

type Status = 'normal' | 'peer-down' | 'sync-failing';
const STATUSES: Status[] = ['normal', 'peer-down', 'sync-failing'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const trayDir = path.join(root, 'assets', 'tray');
const buildDir = path.join(root, 'assets', 'build');

const COLORS = {
  top: '#1f8a70',
  bottom: '#14532d',
  line: '#ffffff',
  peerDown: '#dc2626',
  syncFailing: '#f59e0b',
};

/** The pulse: flat, a small bump, a tall spike down-up, flat — across a unit square. */
const PULSE: [number, number][] = [
  [0.1, 0.55],
  [0.3, 0.55],
  [0.38, 0.45],
  [0.46, 0.55],
  [0.53, 0.2],
  [0.62, 0.82],
  [0.7, 0.55],
  [0.9, 0.55],
];

function roundedRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

function strokePulse(ctx: SKRSContext2D, size: number, width: number, inset = 0): void {
  ctx.beginPath();
  PULSE.forEach(([px, py], i) => {
    const x = inset + px * (size - 2 * inset);
    const y = inset + py * (size - 2 * inset);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.lineWidth = width;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.stroke();
}

/** The colour icon: a green rounded square with a white pulse, and a state badge. */
function colourIcon(size: number, status: Status): Buffer {
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext('2d');
  const pad = Math.max(0.5, size * 0.04);
  const gradient = ctx.createLinearGradient(0, 0, 0, size);
  gradient.addColorStop(0, COLORS.top);
  gradient.addColorStop(1, COLORS.bottom);
  roundedRect(ctx, pad, pad, size - 2 * pad, size - 2 * pad, size * 0.22);
  ctx.fillStyle = gradient;
  ctx.fill();
  ctx.strokeStyle = COLORS.line;
  strokePulse(ctx, size, Math.max(1.5, size * 0.085));
  if (status !== 'normal') {
    const r = size * 0.22;
    const cx = size - r - pad * 0.5;
    const cy = size - r - pad * 0.5;
    ctx.beginPath();
    ctx.arc(cx, cy, r + Math.max(1, size * 0.04), 0, Math.PI * 2);
    ctx.fillStyle = '#ffffff';
    ctx.fill();
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, Math.PI * 2);
    ctx.fillStyle = status === 'peer-down' ? COLORS.peerDown : COLORS.syncFailing;
    ctx.fill();
  }
  return canvas.toBuffer('image/png');
}

/**
 * The macOS template icon: black pulse on transparent. A peer down adds a solid disc with an
 * exclamation mark knocked out; sync failing adds a ring (template images carry no colour).
 */
function templateIcon(size: number, status: Status): Buffer {
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext('2d');
  ctx.strokeStyle = '#000000';
  ctx.fillStyle = '#000000';
  strokePulse(ctx, size, Math.max(1.25, size * 0.1), size * 0.02);
  if (status !== 'normal') {
    const r = size * 0.24;
    const cx = size - r;
    const cy = size - r;
    // Clear a margin around the badge so it reads apart from the pulse.
    ctx.save();
    ctx.globalCompositeOperation = 'destination-out';
    ctx.beginPath();
    ctx.arc(cx, cy, r + size * 0.08, 0, Math.PI * 2);
    ctx.fill();
    ctx.restore();
    if (status === 'peer-down') {
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, Math.PI * 2);
      ctx.fill();
      ctx.save();
      ctx.globalCompositeOperation = 'destination-out';
      ctx.fillRect(cx - size * 0.035, cy - r * 0.62, size * 0.07, r * 0.8);
      ctx.fillRect(cx - size * 0.035, cy + r * 0.3, size * 0.07, size * 0.07);
      ctx.restore();
    } else {
      ctx.beginPath();
      ctx.arc(cx, cy, r - size * 0.04, 0, Math.PI * 2);
      ctx.lineWidth = size * 0.08;
      ctx.stroke();
    }
  }
  return canvas.toBuffer('image/png');
}

/** RGBA pixels of a drawn icon (for the BMP frames of an .ico). */
function rgba(size: number, draw: (size: number) => Buffer): Promise<Uint8ClampedArray> {
  return import('@napi-rs/canvas').then(async ({ loadImage }) => {
    const image = await loadImage(draw(size));
    const canvas = createCanvas(size, size);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    return ctx.getImageData(0, 0, size, size).data;
  });
}

/**
 * An .ico file: frames up to 48 px as 32-bit BGRA bitmaps (what every Windows version reads in
 * the notification area), larger ones as embedded PNG (Vista and later).
 */
async function icoFile(sizes: number[], draw: (size: number) => Buffer): Promise<Buffer> {
  const frames: Buffer[] = [];
  for (const size of sizes) {
    if (size > 48) {
      frames.push(draw(size));
      continue;
    }
    const pixels = await rgba(size, draw);
    const header = Buffer.alloc(40);
    header.writeUInt32LE(40, 0); // BITMAPINFOHEADER
    header.writeInt32LE(size, 4);
    header.writeInt32LE(size * 2, 8); // XOR bitmap + AND mask
    header.writeUInt16LE(1, 12);
    header.writeUInt16LE(32, 14);
    const xor = Buffer.alloc(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const from = (y * size + x) * 4;
        const to = ((size - 1 - y) * size + x) * 4; // bottom-up rows
        xor[to] = pixels[from + 2]!;
        xor[to + 1] = pixels[from + 1]!;
        xor[to + 2] = pixels[from]!;
        xor[to + 3] = pixels[from + 3]!;
      }
    }
    const maskRow = Math.ceil(size / 32) * 4;
    const and = Buffer.alloc(maskRow * size); // all 0: the alpha channel decides
    frames.push(Buffer.concat([header, xor, and]));
  }
  const directory = Buffer.alloc(6 + 16 * sizes.length);
  directory.writeUInt16LE(0, 0);
  directory.writeUInt16LE(1, 2); // icon
  directory.writeUInt16LE(sizes.length, 4);
  let offset = directory.length;
  sizes.forEach((size, i) => {
    const entry = 6 + 16 * i;
    directory.writeUInt8(size >= 256 ? 0 : size, entry);
    directory.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    directory.writeUInt8(0, entry + 2);
    directory.writeUInt8(0, entry + 3);
    directory.writeUInt16LE(1, entry + 4);
    directory.writeUInt16LE(32, entry + 6);
    directory.writeUInt32LE(frames[i]!.length, entry + 8);
    directory.writeUInt32LE(offset, entry + 12);
    offset += frames[i]!.length;
  });
  return Buffer.concat([directory, ...frames]);
}

function write(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  console.log(`${path.relative(root, file)}  ${data.length} bytes`);
}

const baseName = (status: Status) => (status === 'normal' ? 'tray' : `tray-${status}`);

for (const status of STATUSES) {
  const name = baseName(status);
  write(path.join(trayDir, `${name}Template.png`), templateIcon(16, status));
  write(path.join(trayDir, `${name}Template@2x.png`), templateIcon(32, status));
  write(path.join(trayDir, `${name}.png`), colourIcon(32, status));
  write(path.join(trayDir, `${name}.ico`), await icoFile([16, 20, 24, 32, 40, 48], (size) => colourIcon(size, status)));
}
write(path.join(buildDir, 'icon.png'), colourIcon(1024, 'normal'));
write(path.join(buildDir, 'icon.ico'), await icoFile([16, 24, 32, 48, 64, 128, 256], (size) => colourIcon(size, 'normal')));
