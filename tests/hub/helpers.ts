// Shared by the hub tests: a hub on 127.0.0.1:0 in this process (batches: batches.ts).
import { systemClock, type Clock } from '../../src/core/clock.js';
import { httpRequest, type HttpResponse } from '../../src/core/http-client.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import { Hub } from '../../src/hub/hub.js';
import { defaultSettings, mergeSettings, type SettingsPatch } from '../../src/shared/settings.js';
import { tempDir } from '../helpers/tmp.js';

export { AGENT_ID, makeBatch, recentSamples } from './batches.js';

/** A clock whose wall time tests set; timers are real. */
export class SettableClock implements Clock {
  constructor(public time = Date.now()) {}
  now(): number {
    return this.time;
  }
  monotonic(): number {
    return systemClock.monotonic();
  }
  setTimeout(callback: () => void, ms: number) {
    return systemClock.setTimeout(callback, ms);
  }
  clearTimeout(handle: unknown): void {
    systemClock.clearTimeout(handle);
  }
}

export async function startTestHub(options: { dataDir?: string; settings?: SettingsPatch; tokenHash?: string | null; clock?: Clock; logger?: Logger; rendererDir?: string } = {}): Promise<Hub> {
  const settings = mergeSettings(defaultSettings(), { hub: { port: 0, sampleSelf: false }, ...options.settings });
  return Hub.start({
    dataDir: options.dataDir ?? tempDir('vigil-hub-'),
    settings,
    logger: options.logger ?? silentLogger,
    tokenHash: options.tokenHash,
    clock: options.clock,
    rendererDir: options.rendererDir ?? tempDir('vigil-no-renderer-'),
  });
}

export function post(hub: Hub, path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return httpRequest({
    url: `${hub.url}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

export function get(hub: Hub, path: string, token?: string): Promise<HttpResponse> {
  return httpRequest({ url: `${hub.url}${path}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
}
