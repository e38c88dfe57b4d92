import { describe, expect, it } from 'vitest';
import { CsvParser, LINE_END, escapeField, joinRecord, parseCsv } from '../../../src/core/csv/rfc4180.js';
import { VigilError } from '../../../src/shared/errors.js';

describe('escapeField', () => {
  it('leaves plain fields alone', () => {
    expect(escapeField('eth0')).toBe('eth0');
    expect(escapeField('')).toBe('');
    expect(escapeField('12.5')).toBe('12.5');
    expect(escapeField(' spaced ')).toBe(' spaced ');
  });

  it('quotes fields with a comma, a quote, CR or LF, doubling inner quotes', () => {
    expect(escapeField('a,b')).toBe('"a,b"');
    expect(escapeField('say "hi"')).toBe('"say ""hi"""');
    expect(escapeField('"')).toBe('""""');
    expect(escapeField('line\nbreak')).toBe('"line\nbreak"');
    expect(escapeField('cr\rhere')).toBe('"cr\rhere"');
    expect(escapeField('crlf\r\n')).toBe('"crlf\r\n"');
  });

  it('joins a record with commas and no line ending', () => {
    expect(joinRecord(['a', 'b,c', ''])).toBe('a,"b,c",');
    expect(LINE_END).toBe('\r\n');
  });
});

describe('CsvParser', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text = 'a,"b,c","say ""hi""","x\r\ny"\r\n1,,3,"4"\r\n';
    expect(parseCsv(text)).toEqual({
      records: [
        ['a', 'b,c', 'say "hi"', 'x\r\ny'],
        ['1', '', '3', '4'],
      ],
      rest: null,
    });
  });

  it('accepts LF-only line endings and reports an unterminated last record apart', () => {
    expect(parseCsv('a,b\n1,2\n3,')).toEqual({ records: [['a', 'b'], ['1', '2']], rest: ['3', ''] });
    expect(parseCsv('a,"open quote\r\n')).toEqual({ records: [], rest: ['a', 'open quote\r\n'] });
    expect(parseCsv('')).toEqual({ records: [], rest: null });
  });

  it('gives the same records however the text is split into chunks', () => {
    const text = 'time,"net_a,b_rx_bps","q""x",last\r\n1,"2\r\n3",,4\r\n"",x,"""",\r\n';
    const whole = parseCsv(text).records;
    for (let cut = 0; cut <= text.length; cut++) {
      for (const cut2 of [cut, Math.min(text.length, cut + 1), Math.min(text.length, cut + 3)]) {
        const records: string[][] = [];
        const parser = new CsvParser((fields) => records.push(fields));
        parser.push(text.slice(0, cut));
        parser.push(text.slice(cut, cut2));
        parser.push(text.slice(cut2));
        expect(records).toEqual(whole);
        expect(parser.end()).toBeNull();
        expect(parser.completeLength).toBe(text.length);
      }
    }
  });

  it('refuses malformed text with a clear error', () => {
    for (const bad of ['a"b\r\n', '"a"b\r\n', 'a\rb\r\n']) {
      expect(() => parseCsv(bad)).toThrow(VigilError);
    }
    expect(() => parseCsv('"a"b')).toThrow(/text after a closing quote in record 1/);
  });

  it('round-trips arbitrary fields through joinRecord', () => {
    const alphabet = ['a', ',', '"', '\r', '\n', ' ', 'é', '_', '0'];
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 500; n++) {
      const record = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
        Array.from({ length: Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
      );
      const { records, rest } = parseCsv(joinRecord(record) + LINE_END);
      expect(rest).toBeNull();
      expect(records).toEqual([record]);
    }
  });
});
