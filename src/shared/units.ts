// Human units, chosen automatically: bits per second in decimal steps (kbit/s, Mbit/s, Gbit/s:
// how links are sold and measured), bytes in binary steps (KiB, MiB, GiB: how memory is built).

const BIT_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'] as const;
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
/** Data moved over a network, as providers count it and sell quotas: decimal steps. */
const VOLUME_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

export interface ScaledValue {
  value: number;
  unit: string;
  /** The divisor applied, so a whole chart axis can share one unit. */
  factor: number;
}

export function scaleBits(bitsPerSecond: number): ScaledValue {
  return scale(bitsPerSecond, 1000, BIT_UNITS);
}

export function scaleBytes(bytes: number): ScaledValue {
  return scale(bytes, 1024, BYTE_UNITS);
}

export function formatBits(bitsPerSecond: number | null | undefined, digits = 3): string {
  if (bitsPerSecond == null || !Number.isFinite(bitsPerSecond)) return '–';
  const { value, unit } = scaleBits(bitsPerSecond);
  return `${formatSignificant(value, digits)} ${unit}`;
}

export function formatBytes(bytes: number | null | undefined, digits = 3): string {
  if (bytes == null || !Number.isFinite(bytes)) return '–';
  const { value, unit } = scaleBytes(bytes);
  return `${formatSignificant(value, digits)} ${unit}`;
}

/** Traffic volumes in decimal units (1 TB = 10¹² bytes), as quotas are sold: "1.31 TB". */
export function formatVolume(bytes: number | null | undefined, digits = 3): string {
  if (bytes == null || !Number.isFinite(bytes)) return '–';
  const { value, unit } = scale(bytes, 1000, VOLUME_UNITS);
  return `${formatSignificant(value, digits)} ${unit}`;
}

const VOLUME_FACTORS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, p: 1e15, pb: 1e15 };

/**
 * "500 GB", "1.5TB", "2 t", "1000000" → bytes, in decimal units (as quotas are sold); null when
 * the text is not an amount or is not a whole number of bytes.
 */
export function parseVolume(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return null;
  const factor = VOLUME_FACTORS[match[2]!.toLowerCase()];
  if (factor === undefined) return null;
  // Through the digits, not the float: "1.1 TB" is exactly 1,100,000,000,000 bytes.
  const [whole, fraction = ''] = match[1]!.split('.');
  const decimals = fraction.length;
  const scaled = Number(`${whole}${fraction}`) * factor;
  const bytes = scaled / 10 ** decimals;
  return Number.isSafeInteger(bytes) && scaled % 10 ** decimals === 0 ? bytes : null;
}

/** Bytes in the largest decimal unit that keeps them exact: 1e12 → "1 TB", 1.5e12 → "1500 GB". */
export function formatExactVolume(bytes: number): string {
  for (let index = VOLUME_UNITS.length - 1; index > 0; index--) {
    const factor = 1000 ** index;
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${VOLUME_UNITS[index]}`;
  }
  return String(bytes);
}

export function formatPercent(percent: number | null | undefined): string {
  if (percent == null || !Number.isFinite(percent)) return '–';
  return `${percent.toFixed(1)} %`;
}

/** "3 s", "4 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

function scale(value: number, base: number, units: readonly string[]): ScaledValue {
  let index = 0;
  let factor = 1;
  while (Math.abs(value) / factor >= base && index < units.length - 1) {
    factor *= base;
    index++;
  }
  return { value: value / factor, unit: units[index]!, factor };
}

/** Up to `digits` significant digits, without trailing zeros beyond what is meaningful. */
function formatSignificant(value: number, digits: number): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value))) + 1;
  const decimals = Math.max(0, Math.min(digits - magnitude, 2));
  return value.toFixed(decimals);
}
