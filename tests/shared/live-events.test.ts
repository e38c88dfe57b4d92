// The hub's live feed as the fleet page reads it: shared/api-client.ts readEventStream cuts the
// stream into events wherever the chunks break, shared/hub-api.ts parseLiveEvent keeps only
// well-formed ones.
import { describe, expect, it } from 'vitest';
import { readEventStream } from '../../src/shared/api-client.js';
import { parseLiveEvent, type LiveEvent } from '../../src/shared/hub-api.js';
import { randomSamples } from '../helpers/random.js';

const sample = randomSamples(1_763_800_000_000, 1, 1000, 3)[0]!;
const events: LiveEvent[] = [
  { type: 'sample', machineId: 'm1', sample, lastSeen: 1_763_800_000_500 },
  { type: 'state', machineId: 'm1', state: 'stale', lastSeen: 1_763_800_000_500 },
  { type: 'state', machineId: 'm2', state: 'new', lastSeen: null },
];

function streamOf(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += size)));
    },
  });
}

describe('the live feed, read as the fleet page reads it', () => {
  it('every event once, wherever the chunks break (inside UTF-8 characters and CRLF pairs too)', async () => {
    const body = events.map((event) => `event: ${event.type}\r\ndata: ${JSON.stringify({ ...event, note: 'é…' })}\r\n\r\n`).join(': keepalive\r\n\r\n');
    for (const size of [1, 2, 3, 7, 100, 100_000]) {
      const read: LiveEvent[] = [];
      await readEventStream(streamOf(`: vigil live feed\nretry: 3000\n\n${body}`, size), new AbortController().signal, (_name, data) => {
        const event = parseLiveEvent(data);
        if (event) read.push(event);
      });
      expect(read.map((event) => ({ ...event, note: undefined })), `chunks of ${size} bytes`).toEqual(events.map((event) => ({ ...event, note: undefined })));
    }
  });

  it('drops what is not a live event', () => {
    for (const data of ['{"type":', '42', 'null', '{"type":"other","machineId":"m1"}', '{"type":"state","state":"up","lastSeen":null}', '{"type":"state","machineId":"m1","state":"gone","lastSeen":null}', '{"type":"sample","machineId":"m1","sample":null,"lastSeen":1}', '{"type":"sample","machineId":"m1","sample":{}}']) {
      expect(parseLiveEvent(data), data).toBeNull();
    }
    for (const event of events) expect(parseLiveEvent(JSON.stringify(event))).toEqual(event);
  });
});
