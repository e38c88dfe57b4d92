// The hub's JSON API and live feed, as the fleet page uses them, with the page's token. Paths are
// relative to the page (served at the hub's root), so a hub behind a path prefix works too.
import type { LatestResult } from '../../shared/api.js';
import { errorOf, readEventStream } from '../../shared/api-client.js';
import { parseLiveEvent, type HubMachineList, type LiveEvent } from '../../shared/hub-api.js';
import { currentToken } from '../token.js';

function headers(accept: string): Record<string, string> {
  const token = currentToken();
  return token ? { authorization: `Bearer ${token}`, accept } : { accept };
}

async function getJson<T>(path: string): Promise<T> {
  const response = await window.fetch(new URL(path, document.baseURI), { headers: headers('application/json'), credentials: 'omit', cache: 'no-store' });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export function machines(): Promise<HubMachineList> {
  return getJson<HubMachineList>('api/machines');
}

export function latest(machineId: string): Promise<LatestResult> {
  return getJson<LatestResult>(`api/machines/${encodeURIComponent(machineId)}/latest`);
}

/**
 * Reads GET /api/live until the stream ends or `signal` aborts. Through fetch(), since
 * EventSource cannot send the Authorization header.
 */
export async function readLiveFeed(signal: AbortSignal, onEvent: (event: LiveEvent) => void): Promise<void> {
  const response = await window.fetch(new URL('api/live', document.baseURI), { headers: headers('text/event-stream'), credentials: 'omit', cache: 'no-store', signal });
  if (!response.ok || !response.body) throw await errorOf(response);
  await readEventStream(response.body, signal, (_name, data) => {
    const event = parseLiveEvent(data);
    if (event) onEvent(event);
  });
}
