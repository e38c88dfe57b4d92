// The hub's fleet page (GET /): every machine, its live state and latest figures, each a link to
// its daily charts (machines/{id}/). It reads the hub's JSON API and its live feed, asks for the
// hub token when the hub has one (the chart page's dialog and storage: one token opens both), and
// runs under the hub's strict Content-Security-Policy (this bundle and its stylesheet are files).
import { VigilError } from '../../shared/errors.js';
import { byId } from '../dom.js';
import { askForToken, currentToken, forgetToken, takeTokenFromFragment } from '../token.js';
import { FleetTable } from './fleet-table.js';
import * as hub from './hub-client.js';

/** The list is re-read this often (machines added or revoked meanwhile, figures of quiet ones). */
const RELOAD_MS = 30_000;
/** A dropped live feed is opened again after this long. */
const RECONNECT_MS = 3000;

class FleetPage {
  /** The hub's clock minus this browser's, in ms (from the machine list's `time`). */
  private clockSkew = 0;
  private readonly table = new FleetTable(byId<HTMLTableElement>('fleet'), byId('summary'), () => Date.now() + this.clockSkew);
  private live: AbortController | null = null;

  async start(): Promise<void> {
    try {
      await this.authorized(() => this.load());
    } catch (error) {
      document.body.dataset.state = 'error';
      byId('summary').textContent = `Cannot reach the hub: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    document.body.dataset.state = 'ready';
    void this.follow();
    setInterval(() => this.table.tick(), 1000);
    setInterval(() => void this.load().catch(() => undefined), RELOAD_MS);
  }

  private async load(): Promise<void> {
    const list = await hub.machines();
    this.clockSkew = list.time - Date.now();
    this.table.render(list.machines);
    for (const machine of list.machines) {
      hub.latest(machine.id).then(
        (latest) => this.table.showSample(machine.id, latest.sample),
        () => undefined,
      );
    }
  }

  /** Follows the live feed for as long as the page is open, reconnecting when it drops. */
  private async follow(): Promise<void> {
    this.live?.abort();
    const live = (this.live = new AbortController());
    try {
      await hub.readLiveFeed(live.signal, (event) => {
        if (!this.table.has(event.machineId)) {
          void this.load().catch(() => undefined);
          return;
        }
        if (event.type === 'sample') {
          this.table.showSample(event.machineId, event.sample);
          this.table.seen(event.machineId, event.lastSeen);
        } else {
          this.table.setState(event.machineId, event.state, event.lastSeen);
        }
      });
    } catch (error) {
      if (live.signal.aborted) return;
      // The token stopped working (the hub's was changed): ask for the new one, then follow again.
      if (error instanceof VigilError && error.code === 'unauthorized') await this.authorized(() => this.load()).catch(() => undefined);
    }
    setTimeout(() => void this.follow(), RECONNECT_MS);
  }

  /** Runs a request, asking for the token again as long as the hub answers 401. */
  private async authorized<T>(run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof VigilError) || error.code !== 'unauthorized') throw error;
        const hadToken = currentToken() !== null;
        forgetToken();
        await askForToken(hadToken ? 'That token was not accepted.' : null);
      }
    }
  }
}

takeTokenFromFragment();
void new FleetPage().start();
