import { describe, expect, it } from 'vitest';
import { Accumulator, feedRaw, feedRollup } from '../../../src/core/storage/accumulator.js';
import { parseInts } from '../../../src/core/storage/chunks.js';
import {
  ByteReader,
  ByteWriter,
  decodeSteps,
  decodeSummaries,
  encodeSteps,
  encodeSummaries,
  type StepSummary,
} from '../../../src/core/storage/codec.js';
import { VigilError } from '../../../src/shared/errors.js';
import { fromSteps, quantize, toSteps } from '../../../src/shared/series.js';
import { seededRandom } from '../../helpers/random.js';

const EDGES = [0, 1, 126, 127, 128, 129, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 41, 2 ** 49 + 3, Number.MAX_SAFE_INTEGER - 1];

describe('varints', () => {
  it('round-trip every width, including past 2^31 where bit operations stop working', () => {
    const w = new ByteWriter(4); // tiny on purpose: forces the buffer to grow
    for (const n of EDGES) w.uint(n);
    const r = new ByteReader(w.copy());
    for (const n of EDGES) expect(r.uint()).toBe(n);
    r.end();
  });

  it('use one byte below 128 and LEB128 layout above', () => {
    const w = new ByteWriter();
    w.uint(127);
    expect([...w.view()]).toEqual([0x7f]);
    w.reset();
    w.uint(300);
    expect([...w.view()]).toEqual([0xac, 0x02]);
  });

  it('round-trip random values', () => {
    const random = seededRandom(7);
    const values = Array.from({ length: 5000 }, () => Math.floor(random() * 2 ** Math.floor(random() * 52)));
    const w = new ByteWriter();
    values.forEach((v) => w.uint(v));
    const r = new ByteReader(w.copy());
    expect(values.map(() => r.uint())).toEqual(values);
    r.end();
  });
});

describe('raw rows', () => {
  it('round-trip steps with nulls, zeros and large values', () => {
    const steps = [null, 0, 1, null, 127, 128, 2 ** 40, 0, null];
    const w = new ByteWriter();
    encodeSteps(w, steps);
    expect(decodeSteps(w.copy(), steps.length)).toEqual(steps);
    // null and 0 are different things: 0 → 1, null → 0
    expect([...w.view()].slice(0, 2)).toEqual([0, 1]);
  });

  it('store fractional resolutions exactly (12.3 % stays 12.3, not 12.300000000000001)', () => {
    for (const [resolution, max] of [
      [0.1, 1000],
      [0.01, 10_000],
    ] as const) {
      const values = Array.from({ length: max + 1 }, (_, i) => quantize(i * resolution, resolution));
      const w = new ByteWriter();
      encodeSteps(
        w,
        values.map((v) => toSteps(v, resolution)),
      );
      const back = decodeSteps(w.copy(), values.length).map((s) => fromSteps(s!, resolution));
      expect(back).toEqual(values);
    }
  });

  it('reject a blob that is too short or too long for its layout', () => {
    const w = new ByteWriter();
    encodeSteps(w, [1, 2, 3]);
    expect(() => decodeSteps(w.copy(), 4)).toThrow(VigilError);
    expect(() => decodeSteps(w.copy(), 2)).toThrow(/damaged row/);
    const acc = new Accumulator();
    expect(() => feedRaw(w.view(), 0, w.length, [0, 1], acc)).toThrow(/damaged row/);
  });
});

describe('rollup rows', () => {
  it('round-trip count/min/max/sum, with empty series', () => {
    const summaries: (StepSummary | null)[] = [
      { count: 60, min: 5, max: 900, sum: 60 * 5 + 1234 },
      null,
      { count: 1, min: 0, max: 0, sum: 0 },
      { count: 3600, min: 2 ** 33, max: 2 ** 33 + 5, sum: 3600 * 2 ** 33 + 17 },
    ];
    const w = new ByteWriter();
    encodeSummaries(w, summaries);
    expect(decodeSummaries(w.copy(), summaries.length)).toEqual(summaries);
  });

  it('cost little for a steady series (min, spread 0, excess 0)', () => {
    const w = new ByteWriter();
    encodeSummaries(w, [{ count: 60, min: 16_777_216, max: 16_777_216, sum: 60 * 16_777_216 }]);
    expect(w.length).toBe(1 + 4 + 1 + 1);
  });
});

describe('accumulator', () => {
  it('feeds raw blobs and merges rollup blobs into the same totals', () => {
    const random = seededRandom(3);
    const rows = Array.from({ length: 200 }, () => [random() < 0.2 ? null : Math.floor(random() * 5000), Math.floor(random() * 2 ** 35)]);
    const slots = [4, 9];
    // Straight from raw rows …
    const direct = new Accumulator();
    direct.ensure(10);
    const w = new ByteWriter();
    for (const r of rows) {
      encodeSteps(w, r);
      feedRaw(w.view(), 0, w.length, slots, direct);
    }
    // … and through rollups of 7 rows each, merged.
    const merged = new Accumulator();
    merged.ensure(10);
    for (let i = 0; i < rows.length; i += 7) {
      const part = new Accumulator();
      part.ensure(10);
      for (const r of rows.slice(i, i + 7)) {
        encodeSteps(w, r);
        feedRaw(w.view(), 0, w.length, slots, part);
      }
      encodeSummaries(
        w,
        slots.map((s) => (part.count[s] ? { count: part.count[s]!, min: part.min[s]!, max: part.max[s]!, sum: part.sum[s]! } : null)),
      );
      feedRollup(w.view(), 0, w.length, slots, merged);
    }
    for (const s of slots) {
      const values = rows.map((r) => r[slots.indexOf(s)]).filter((v): v is number => v !== null);
      expect(direct.count[s]).toBe(values.length);
      expect(direct.sum[s]).toBe(values.reduce((a, b) => a + b, 0));
      expect(direct.min[s]).toBe(Math.min(...values));
      expect(direct.max[s]).toBe(Math.max(...values));
      expect([merged.count[s], merged.sum[s], merged.min[s], merged.max[s]]).toEqual([direct.count[s], direct.sum[s], direct.min[s], direct.max[s]]);
    }
  });

  it('skips series whose slot is -1 (key filter)', () => {
    const acc = new Accumulator();
    const w = new ByteWriter();
    encodeSteps(w, [5, 6]);
    feedRaw(w.view(), 0, w.length, [-1, 1], acc);
    expect(acc.touched).toEqual([1]);
    expect(acc.sum[1]).toBe(6);
  });
});

describe('parseInts', () => {
  it('parses comma lists and refuses anything else', () => {
    const out: number[] = [];
    expect(parseInts('0,12,345678901234', out)).toBe(3);
    expect(out).toEqual([0, 12, 345678901234]);
    expect(parseInts('1.0,2', [])).toBe(-1);
    expect(parseInts('-1', [])).toBe(-1);
  });
});
