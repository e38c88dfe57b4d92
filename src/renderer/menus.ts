// The Traffic and Export CSV menus: their code is not part of the first view, so it loads (a
// chunk of its own, import()) the first time each menu is opened.
import type { VigilClient } from '../shared/api.js';
import type { LocalDay } from '../shared/dates.js';
import { byId } from './dom.js';
import type { Authorized } from './client.js';

export interface MenuContext {
  client: VigilClient;
  authorized: Authorized;
  today(): LocalDay;
  /** The day the view shows (its anchor): the export's default. */
  shownDay(): LocalDay;
  /** The days the view covers (null: the live view). */
  shownDays(): { from: LocalDay; to: LocalDay } | null;
}

export class Menus {
  private traffic: { refresh(): Promise<void> } | null = null;

  constructor(private readonly context: MenuContext) {
    byId<HTMLDetailsElement>('export').addEventListener('toggle', () => void this.loadExport(), { once: true });
    byId<HTMLDetailsElement>('traffic').addEventListener('toggle', () => void this.loadTraffic(), { once: true });
  }

  /** Another view is shown: the traffic totals follow it (once the menu was opened). */
  viewChanged(): void {
    void this.traffic?.refresh();
  }

  private async loadTraffic(): Promise<void> {
    const { TrafficPanel } = await import('./traffic-panel.js');
    const { client, authorized, today, shownDays } = this.context;
    this.traffic = new TrafficPanel({ client: () => client, shownDays, today, authorized });
    await this.traffic.refresh();
  }

  private async loadExport(): Promise<void> {
    const { ExportPanel } = await import('./export-panel.js');
    const { client, authorized, today, shownDay } = this.context;
    new ExportPanel({ client: () => client, shownDay, today, authorized }).fillDefaults();
  }
}
