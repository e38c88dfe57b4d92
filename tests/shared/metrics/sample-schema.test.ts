// The Sample's wire schema, generated from the metric table: the same contract the hub accepted
// when it was written by hand, and what ajv makes of it.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { diskSampleSchema, ingestBatchSchema, sampleSchema } from '../../../src/shared/hub-api.js';
import { latestResultSchema } from '../../../src/shared/api.js';
import type { Sample } from '../../../src/shared/model.js';
import { randomSample, seededRandom } from '../../helpers/random.js';

const text = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]*$' });
const percent = { type: 'number', minimum: 0, maximum: 100 };
const bytes = { type: 'number', minimum: 0, maximum: 2 ** 50 };
const bitRate = { type: ['number', 'null'], minimum: 0, maximum: 1e13 };
const loadValue = { type: 'number', minimum: 0, maximum: 1e6 };
const ts = { type: 'integer', minimum: 946_684_800_000, maximum: 8_640_000_000_000_000 };

describe('the generated Sample schema', () => {
  it('is the contract the hub had by hand', () => {
    expect(sampleSchema).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'cpu', 'memory', 'load', 'net'],
      properties: {
        ts,
        cpu: { type: 'object', additionalProperties: false, required: ['total', 'cores'], properties: { total: percent, cores: { type: 'array', maxItems: 1024, items: percent } } },
        memory: {
          type: 'object',
          additionalProperties: false,
          required: ['total', 'used', 'available', 'free', 'swapTotal', 'swapUsed'],
          properties: { total: bytes, used: bytes, available: bytes, free: bytes, swapTotal: bytes, swapUsed: bytes },
        },
        load: { type: ['object', 'null'], additionalProperties: false, required: ['one', 'five', 'fifteen'], properties: { one: loadValue, five: loadValue, fifteen: loadValue } },
        net: {
          type: 'array',
          maxItems: 512,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['iface', 'loopback', 'virtual', 'rxBitsPerSecond', 'txBitsPerSecond'],
            properties: { iface: text(128, 1), loopback: { type: 'boolean' }, virtual: { type: 'boolean' }, rxBitsPerSecond: bitRate, txBitsPerSecond: bitRate },
          },
        },
      },
    });
    const disk = diskSampleSchema.properties.disks.items;
    expect(disk).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['device', 'mountPoint', 'fsType', 'total', 'used'],
      properties: {
        device: text(1024),
        mountPoint: text(1024),
        fsType: text(64),
        total: { type: 'number', minimum: 0, maximum: 2 ** 62 },
        used: { type: 'number', minimum: 0, maximum: 2 ** 62 },
        // Optional: an agent from before they were kept does not send them.
        free: { type: 'number', minimum: 0, maximum: 2 ** 62 },
        available: { type: 'number', minimum: 0, maximum: 2 ** 62 },
      },
    });
  });

  it('accepts real samples, with or without a load average, and refuses the rest (strict ajv, as the hub compiles it)', () => {
    const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, allowUnionTypes: true, strict: true });
    const valid = ajv.compile(ingestBatchSchema.properties.samples.items);
    const random = seededRandom(5);
    const sample = randomSample(1_763_800_000_000, random, { cores: 3, nullRate: 0.5 });
    expect(valid(sample)).toBe(true);
    expect(valid({ ...sample, load: null })).toBe(true);
    const bad: unknown[] = [
      { ...sample, load: { one: 1, five: 1 } },
      { ...sample, cpu: { ...sample.cpu, total: 100.1 } },
      { ...sample, memory: { ...sample.memory, free: -1 } },
      { ...sample, memory: { ...sample.memory, cached: 0 } },
      { ...sample, net: [{ ...sample.net[0]!, rxBitsPerSecond: 2e13 }] },
      { ...sample, net: [{ ...sample.net[0]!, iface: '' }] },
      { ...sample, gpu: { busy: 1 } },
    ];
    for (const value of bad) expect(valid(value), JSON.stringify(value)).toBe(false);
    // The API documents the same shape for /latest.
    expect(new Ajv({ strict: false }).compile(latestResultSchema)({ sample: sample satisfies Sample })).toBe(true);
  });
});
