// Load average 1/5/15 minutes, quantized to 0.01. Linux: /proc/loadavg; elsewhere os.loadavg().
// Windows has no load average (Node returns zeros there): null, not a fake 0.
import path from 'node:path';
import type { LoadAverage } from '../../shared/model.js';
import { quantize } from '../../shared/series.js';
import { VigilError } from '../../shared/errors.js';
import { ProcFile } from './procfile.js';
import type { LoadReader, OsApi } from './types.js';

export const LOAD_RESOLUTION = 0.01;

/** Parses /proc/loadavg: "0.00 0.15 0.17 1/84 9461". */
export function parseLoadavg(text: string): LoadAverage {
  const [one, five, fifteen] = text.trim().split(/\s+/, 3).map(Number);
  if (!isLoad(one) || !isLoad(five) || !isLoad(fifteen)) throw new VigilError('io_error', `unexpected /proc/loadavg: ${text.trim()}`);
  return loadAverage(one, five, fifteen);
}

function isLoad(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value >= 0;
}

export function loadAverage(one: number, five: number, fifteen: number): LoadAverage {
  return { one: quantize(one, LOAD_RESOLUTION), five: quantize(five, LOAD_RESOLUTION), fifteen: quantize(fifteen, LOAD_RESOLUTION) };
}

export function createLinuxLoadReader(root = '/'): LoadReader {
  const file = new ProcFile(path.join(root, 'proc/loadavg'));
  return { read: () => parseLoadavg(file.read()) };
}

export function createPortableLoadReader(osApi: Pick<OsApi, 'loadavg'>, platform: NodeJS.Platform): LoadReader {
  if (platform === 'win32') return { read: () => null };
  return {
    read() {
      const [one = 0, five = 0, fifteen = 0] = osApi.loadavg();
      return loadAverage(one, five, fifteen);
    },
  };
}
