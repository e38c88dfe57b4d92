// The wire schemas of a Sample and of a filesystem's usage, generated from the metric table: what
// the hub's ingest validates (ajv, strict: no field it does not know, every value bounded) and
// what the API documents for /api/latest. A family added to the table is a field here too.
//
// Shape: { ts, <group>: { <field>: value } for the machine-wide families (a group whose every
// value may be missing, the load average, is null as a whole), cpu.cores: [value per CPU],
// net: [{ iface, loopback, virtual, <field>: value }] } — as the Sample type (model.ts) has it.
import type { JSONSchema } from 'json-schema-to-ts';
import { text } from '../wire.js';
import { FILESYSTEM_FAMILIES, SAMPLE_BLOCKS, type MetricFamily } from './catalog.js';
import type { MetricUnit } from './descriptor.js';

/**
 * The largest value a unit accepts on the wire: generous for real machines, and within what
 * storage keeps (2^41 steps: 2 PiB in KiB steps, 17 Tbit/s in 8 bit/s steps).
 */
const MAXIMUM: Record<MetricUnit, number> = {
  percent: 100,
  bytes: 2 ** 50,
  bits_per_second: 1e13,
  load: 1e6,
};

/** Filesystem sizes are kept in bytes (not steps): up to 2^62. */
const FILESYSTEM_MAXIMUM = 2 ** 62;

/** Per-CPU and per-interface lists are bounded too (1,024 CPUs, 512 interfaces). */
const MAX_CPUS = 1024;
const MAX_INTERFACES = 512;

type Schema = Record<string, unknown>;

function valueSchema(family: MetricFamily, maximum = MAXIMUM[family.descriptor.unit]): Schema {
  // A value that may be missing on its own is null then; one of a group that may be missing as a whole is a number.
  return { type: family.descriptor.missing !== undefined && family.scope !== 'machine' ? ['number', 'null'] : 'number', minimum: 0, maximum };
}

function objectSchema(properties: Record<string, Schema>, nullable = false): Schema {
  return { type: nullable ? ['object', 'null'] : 'object', additionalProperties: false, required: Object.keys(properties), properties };
}

/** The Sample schema with a given `ts` schema (the hub refuses times before 2000). */
export function sampleSchemaWith(ts: JSONSchema): JSONSchema {
  const properties: Record<string, Schema> = { ts: ts as Schema };
  const groups = new Map<string, { fields: Record<string, Schema>; optional: boolean }>();
  const group = (name: string) => {
    let found = groups.get(name);
    if (!found) groups.set(name, (found = { fields: {}, optional: true }));
    return found;
  };
  for (const block of SAMPLE_BLOCKS) {
    for (const family of block.families) {
      if (block.scope === 'machine') {
        const target = group(family.recordGroup!);
        target.fields[family.recordField!] = valueSchema(family);
        target.optional &&= family.descriptor.missing !== undefined;
        properties[family.recordGroup!] ??= {}; // keeps the table's order of groups
      } else if (block.scope === 'cpu') {
        group('cpu').fields.cores = { type: 'array', maxItems: MAX_CPUS, items: valueSchema(family) };
        group('cpu').optional = false;
      }
    }
    if (block.scope === 'interface') {
      const item: Record<string, Schema> = { iface: text(128, 1), loopback: { type: 'boolean' }, virtual: { type: 'boolean' } };
      for (const family of block.families) item[family.recordField!] = valueSchema(family);
      properties.net = { type: 'array', maxItems: MAX_INTERFACES, items: objectSchema(item) };
    }
  }
  for (const [name, { fields, optional }] of groups) properties[name] = objectSchema(fields, optional);
  return objectSchema(properties) as JSONSchema;
}

/**
 * One filesystem's usage: where it is mounted, and the table's filesystem families as read (not
 * usedPercent, which is computed from them). A family that may be missing (free and available,
 * which older agents do not send) is an optional field.
 */
export function diskUsageSchema(): JSONSchema {
  const properties: Record<string, Schema> = { device: text(1024), mountPoint: text(1024), fsType: text(64) };
  const required = Object.keys(properties);
  for (const family of FILESYSTEM_FAMILIES) {
    if (family.recordField === 'usedPercent') continue;
    properties[family.recordField!] = { type: 'number', minimum: 0, maximum: FILESYSTEM_MAXIMUM };
    if (family.descriptor.missing === undefined) required.push(family.recordField!);
  }
  return { type: 'object', additionalProperties: false, required, properties } as JSONSchema;
}
