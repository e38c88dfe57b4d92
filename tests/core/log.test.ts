import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger, formatLine } from '../../src/core/log.js';
import { tempDir } from '../helpers/tmp.js';

describe('logger', () => {
  it('filters by level and writes one line per event, with fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', stream: { write: (t: string) => lines.push(t) }, now: () => 0 });
    logger.debug('hidden');
    logger.info('shown', { interval: 1 });
    logger.error('failed', { error: new Error('disk full') });
    logger.setLevel('debug');
    logger.debug('now shown');
    expect(lines).toEqual([
      '1970-01-01T00:00:00.000Z INFO  shown {"interval":1}\n',
      '1970-01-01T00:00:00.000Z ERROR failed {"error":{"name":"Error","message":"disk full"}}\n',
      '1970-01-01T00:00:00.000Z DEBUG now shown\n',
    ]);
  });

  it('drops a broken stream (EPIPE, thrown or emitted) and keeps writing the file', () => {
    for (const how of ['throws', 'emits'] as const) {
      const file = path.join(tempDir(), 'vigil.log');
      const stream = new (class extends EventEmitter {
        written = 0;
        broken = false;
        write(_text: string): void {
          if (!this.broken) return void this.written++;
          const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
          if (how === 'throws') throw error;
          this.emit('error', error);
        }
      })();
      const logger = createLogger({ stream, file, now: () => 0 });
      logger.info('before');
      stream.broken = true;
      expect(() => logger.info('shutting down')).not.toThrow();
      logger.info('sampling stopped');
      logger.close();
      expect(stream.written).toBe(1);
      expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.slice(25))).toEqual([
        'INFO  before',
        'WARN  log output to stderr stopped (EPIPE): logging to this file only',
        'INFO  shutting down',
        'INFO  sampling stopped',
      ]);
    }
  });

  it('rotates the file by size and keeps a bounded number of old files', () => {
    const dir = tempDir();
    const file = path.join(dir, 'logs', 'vigil.log');
    const logger = createLogger({ stream: null, file, maxBytes: 1000, maxFiles: 3, now: () => 0 });
    const line = formatLine(0, 'info', 'x'.repeat(60));
    for (let i = 0; i < 200; i++) logger.info('x'.repeat(60));
    logger.close();
    const files = fs.readdirSync(path.dirname(file)).sort();
    expect(files).toEqual(['vigil.log', 'vigil.log.1', 'vigil.log.2', 'vigil.log.3']);
    for (const name of files) expect(fs.statSync(path.join(dir, 'logs', name)).size).toBeLessThanOrEqual(1000);
    // Every file holds whole lines only.
    for (const name of files) expect(fs.readFileSync(path.join(dir, 'logs', name), 'utf8').split('\n').slice(0, -1).every((l) => `${l}\n` === line)).toBe(true);
  });

  it('keeps working on stderr when the log file cannot be written', () => {
    const lines: string[] = [];
    const logger = createLogger({ stream: { write: (t: string) => lines.push(t) }, file: '/etc/passwd/vigil-no/log', now: () => 0 });
    const originalWrite = process.stderr.write.bind(process.stderr);
    const stderr: string[] = [];
    process.stderr.write = ((text: string) => stderr.push(text) > 0) as unknown as typeof process.stderr.write;
    try {
      logger.info('one');
      logger.info('two');
    } finally {
      process.stderr.write = originalWrite;
    }
    expect(lines).toHaveLength(2);
    expect(stderr.filter((t) => t.includes('logging to /etc/passwd/vigil-no/log stopped'))).toHaveLength(1);
  });
});

describe('logger, format json', () => {
  it('writes one JSON object a line, to the stream and the file alike; fields cannot overwrite time, level or msg', () => {
    const dir = tempDir();
    const file = path.join(dir, 'logs', 'vigil.log');
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', file, stream: { write: (text: string) => lines.push(text) }, now: () => Date.UTC(2026, 11, 5, 6, 0, 0), level: 'info' });
    logger.info('sampling started', { dataDir: '/tmp/x "y"', intervalSeconds: 1 });
    logger.warn('send failed', { error: new Error('ECONNREFUSED'), level: 'shadowed', msg: 'also' });
    logger.debug('not at this level');
    logger.close();
    expect(lines).toHaveLength(2);
    expect(fs.readFileSync(file, 'utf8')).toBe(lines.join(''));
    for (const line of lines) expect(line.endsWith('}\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { time: '2026-12-05T06:00:00.000Z', level: 'info', msg: 'sampling started', dataDir: '/tmp/x "y"', intervalSeconds: 1 },
      { time: '2026-12-05T06:00:00.000Z', level: 'warn', msg: 'send failed', error: { name: 'Error', message: 'ECONNREFUSED' }, field_level: 'shadowed', field_msg: 'also' },
    ]);
  });
});
