// InfluxDB line protocol, written by hand (a few escaping rules do not need a library):
//   measurement,tag=value,tag=value field=1.5,count=3i,text="a \"b\"" 1700000000000
// Escaping follows the spec (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/):
// - measurement: comma and space;
// - tag keys, tag values and field keys: comma, equals sign and space;
// - string field values: double quote and backslash (inside the quotes);
// integers carry an `i` suffix, floats print as JavaScript's shortest round-trip decimal (which
// InfluxDB and VictoriaMetrics parse back to the same double, exponent form included); NaN and
// ±Infinity have no representation, so such a field is left out (and a line left without fields
// is not written). The timestamp is Unix ms: write with precision=ms.
//
// Two things line protocol cannot carry in a tag value, measured against InfluxDB 1.6 and
// VictoriaMetrics 1.79: a newline (replaced by a space) and a backslash that ends the value or
// stands before an escaped character (InfluxDB 1.x rejects the whole batch with "invalid tag
// format"; such a backslash is dropped). Other backslashes pass through as they are. Vigil's tag
// values are host, interface, device and mount names, where neither occurs in practice.
import type { Sample } from '../../shared/model.js';
import { interfaceKind, percentToRatio, samplePoints, tagsOf, type Field, type MachineLabels, type Point } from '../metrics-exposition/convention.js';

export function escapeMeasurement(name: string): string {
  return stripNewlines(name).replace(/[, ]/g, '\\$&');
}

/** Tag keys and field keys. */
export function escapeKey(key: string): string {
  return stripNewlines(key).replace(/[,= ]/g, '\\$&');
}

export function escapeTagValue(value: string): string {
  return stripNewlines(value)
    .replace(/\\+(?=[,= ]|$)/g, '')
    .replace(/[,= ]/g, '\\$&');
}

export function escapeStringField(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

function stripNewlines(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** A field's value as line protocol, or null when it has none (NaN, ±Infinity). */
export function formatFieldValue(field: Field): string | null {
  if (field.type === 'string') return escapeStringField(String(field.value));
  const value = Number(field.value);
  if (!Number.isFinite(value)) return null;
  // An integer field must stay an integer for its whole life: InfluxDB fixes a field's type per
  // shard and refuses a batch that changes it.
  if (field.type === 'integer') return `${Math.round(value)}i`;
  return String(value);
}

/**
 * `measurement,tag=value,…` of a point, escaped once per tag set: the convention hands out the
 * same tag-set object for every point of a series, and escaping is most of the encoding cost.
 */
const prefixes = new WeakMap<Point['tags'], Map<string, string>>();

function seriesPrefix(measurement: string, tags: Point['tags']): string {
  let byMeasurement = prefixes.get(tags);
  if (!byMeasurement) prefixes.set(tags, (byMeasurement = new Map()));
  let prefix = byMeasurement.get(measurement);
  if (prefix === undefined) {
    prefix = escapeMeasurement(measurement);
    for (const [key, value] of tags) {
      const escaped = escapeTagValue(value);
      // An empty tag value is a syntax error; a tag without a value is no tag.
      if (escaped !== '') prefix += `,${escapeKey(key)}=${escaped}`;
    }
    byMeasurement.set(measurement, prefix);
  }
  return prefix;
}

const fieldKeys = new Map<string, string>();

function fieldKey(key: string): string {
  let escaped = fieldKeys.get(key);
  if (escaped === undefined) {
    escaped = escapeKey(key);
    if (fieldKeys.size < 1024) fieldKeys.set(key, escaped);
  }
  return escaped;
}

/** One point as a line (no trailing newline), or null when no field has a value. */
export function encodePoint(point: Point): string | null {
  let fields = '';
  for (const field of point.fields) {
    const value = formatFieldValue(field);
    if (value !== null) fields += `${fields === '' ? '' : ','}${fieldKey(field.key)}=${value}`;
  }
  if (fields === '') return null;
  return `${seriesPrefix(point.measurement, point.tags)} ${fields} ${Math.round(point.ts)}`;
}

/** Points as a line-protocol body: one line each, newline-terminated. */
export function encodePoints(points: Iterable<Point>): string {
  let body = '';
  for (const point of points) {
    const line = encodePoint(point);
    if (line !== null) body += `${line}\n`;
  }
  return body;
}

/** Thrown inside encodeSampleLines when a value has no line-protocol form (NaN, ±Infinity). */
const NOT_FINITE = Symbol('not finite');

function int(value: number): string {
  if (!Number.isFinite(value)) throw NOT_FINITE;
  return `${Math.round(value)}i`;
}

function float(value: number): string {
  if (!Number.isFinite(value)) throw NOT_FINITE;
  return String(value);
}

/**
 * The lines of one sample: the same text as encodePoints(samplePoints(sample, machine)) (a test
 * holds them equal), written directly. The agent runs without V8's optimizing compilers, where building a point
 * object per line costs ~3× more than the strings themselves, and a backfill encodes millions
 * of samples. Anything unusual (a value that is not finite) takes the general path.
 */
export function encodeSampleLines(sample: Sample, machine: MachineLabels): string {
  try {
    const tags = tagsOf(machine);
    const base = tags.base;
    const ts = ` ${Math.round(sample.ts)}\n`;
    let out = `${seriesPrefix('vigil_cpu', base)} usage_ratio=${float(percentToRatio(sample.cpu.total))}${ts}`;
    const cores = sample.cpu.cores;
    for (let i = 0; i < cores.length; i++) {
      out += `${seriesPrefix('vigil_cpu_core', tags.core(i))} usage_ratio=${float(percentToRatio(cores[i]!))}${ts}`;
    }
    const m = sample.memory;
    out += `${seriesPrefix('vigil_memory', base)} total_bytes=${int(m.total)},used_bytes=${int(m.used)},available_bytes=${int(m.available)},free_bytes=${int(m.free)}${ts}`;
    out += `${seriesPrefix('vigil_swap', base)} total_bytes=${int(m.swapTotal)},used_bytes=${int(m.swapUsed)}${ts}`;
    const load = sample.load;
    if (load) out += `${seriesPrefix('vigil_system', base)} load1=${float(load.one)},load5=${float(load.five)},load15=${float(load.fifteen)}${ts}`;
    for (const rate of sample.net) {
      const rx = rate.rxBitsPerSecond;
      const tx = rate.txBitsPerSecond;
      if (rx === null && tx === null) continue;
      const fields = rx === null ? `transmit_bytes_per_second=${int(tx! / 8)}` : tx === null ? `receive_bytes_per_second=${int(rx / 8)}` : `receive_bytes_per_second=${int(rx / 8)},transmit_bytes_per_second=${int(tx / 8)}`;
      out += `${seriesPrefix('vigil_network', tags.network(rate.iface, interfaceKind(rate)))} ${fields}${ts}`;
    }
    return out;
  } catch (error) {
    if (error !== NOT_FINITE) throw error;
    return encodePoints(samplePoints(sample, machine));
  }
}
