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
