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
import { SAMPLE_POINT_SHAPES, interfaceKind, samplePoints, tagsOf, type Field, type MachineLabels, type Point } from '../metrics-exposition/convention.js';

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

/** A point shape ready to write: its fields' escaped keys and where their values sit. */
interface ShapePlan {
  measurement: string;
  fields: {
    keyText: string;
    group: string | null;
    at: string | null;
    integer: boolean;
    /** exportValue() unrolled (see ExportedField.steps): steps = round(value × inMul ÷ inDiv), exported = steps × outMul ÷ outDiv. */
    scaled: boolean;
    inMul: number;
    inDiv: number;
    outMul: number;
    outDiv: number;
  }[];
}

/** toSteps/fromSteps of shared/series.ts as factors: multiply by the whole number, divide by its inverse, so steps stay exact. */
function factors(resolution: number): { mul: number; div: number } {
  return resolution >= 1 ? { mul: resolution, div: 1 } : { mul: 1, div: Math.round(1 / resolution) };
}

const plans = [...SAMPLE_POINT_SHAPES].map(([block, shapes]) => ({
  scope: block.scope,
  shapes: shapes.map(
    (shape): ShapePlan => ({
      measurement: shape.measurement,
      fields: shape.fields.map((field) => ({
        keyText: `${fieldKey(field.key)}=`,
        group: field.family.recordGroup,
        at: field.family.recordField,
        integer: field.type === 'integer',
        scaled: field.steps !== null,
        // toSteps divides by the resolution (multiplies by its inverse); fromSteps the other way round.
        inMul: field.steps ? factors(field.steps.resolution).div : 1,
        inDiv: field.steps ? factors(field.steps.resolution).mul : 1,
        outMul: field.steps ? factors(field.steps.step).mul : 1,
        outDiv: field.steps ? factors(field.steps.step).div : 1,
      })),
    }),
  ),
}));

type Values = Record<string, number | null | undefined>;

/**
 * The lines of one instance's points (none for a point without a value). `values` holds the
 * instance's values by field name (the Sample for the machine, a NetRate), or `only` is the
 * value of every field (a CPU's percent).
 */
function shapeLines(shapes: readonly ShapePlan[], tags: Point['tags'], ts: string, values: Values | null, only: number): string {
  let out = '';
  for (let s = 0; s < shapes.length; s++) {
    const shape = shapes[s]!;
    let fields = '';
    for (let f = 0; f < shape.fields.length; f++) {
      const field = shape.fields[f]!;
      let value = values === null ? only : field.group === null ? values[field.at!] : (values[field.group] as unknown as Values | null | undefined)?.[field.at!];
      if (value == null) continue;
      if (field.scaled) value = (Math.round((value * field.inMul) / field.inDiv) * field.outMul) / field.outDiv;
      if (!Number.isFinite(value)) throw NOT_FINITE;
      fields += `${fields === '' ? '' : ','}${field.keyText}${field.integer ? `${Math.round(value)}i` : String(value)}`;
    }
    if (fields !== '') out += `${seriesPrefix(shape.measurement, tags)} ${fields}${ts}`;
  }
  return out;
}

/**
 * The lines of one sample: the same text as encodePoints(samplePoints(sample, machine)) (a test
 * holds them equal), written directly from the metric table's point shapes. The agent runs
 * without V8's optimizing compilers, where building a point object per line costs ~3× more than
 * the strings themselves, and a backfill encodes millions of samples. Anything unusual (a value
 * that is not finite) takes the general path.
 */
export function encodeSampleLines(sample: Sample, machine: MachineLabels): string {
  try {
    const tags = tagsOf(machine);
    const ts = ` ${Math.round(sample.ts)}\n`;
    let out = '';
    for (let p = 0; p < plans.length; p++) {
      const { scope, shapes } = plans[p]!;
      if (scope === 'machine') {
        out += shapeLines(shapes, tags.base, ts, sample as unknown as Values, 0);
      } else if (scope === 'cpu') {
        const cores = sample.cpu.cores;
        for (let i = 0; i < cores.length; i++) out += shapeLines(shapes, tags.core(i), ts, null, cores[i]!);
      } else if (scope === 'interface') {
        const net = sample.net;
        for (let i = 0; i < net.length; i++) {
          const rate = net[i]!;
          out += shapeLines(shapes, tags.network(rate.iface, interfaceKind(rate)), ts, rate as unknown as Values, 0);
        }
      }
    }
    return out;
  } catch (error) {
    if (error !== NOT_FINITE) throw error;
    return encodePoints(samplePoints(sample, machine));
  }
}
