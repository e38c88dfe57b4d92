// The live view's feed: the window's samples held in the page (LiveData), the server's feed
// followed sample by sample (holes filled from storage), the axis moved on every second even when
// no sample comes, disk usage asked again every minute. The page draws (`render`); this keeps the
// data and says when to.
import { MAX_POINTS, type FollowStatus, type SeriesResult, type VigilClient } from '../shared/api.js';
import type { Sample } from '../shared/model.js';
import { LiveData } from './live-data.js';

/** In the live view, disk usage (read once a minute) is asked for again this often. */
const REFRESH_LIVE_DISKS_MS = 60_000;

export interface LiveFeedHost {
  client: VigilClient;
  /** The machine's sampling step in ms. */
  stepMs(): number;
  /** Whether `seq` is still the page's current request (another view was not opened since). */
  isCurrent(seq: number): boolean;
  /** Draw the live window (first: the first time, even if hidden or zoomed). */
  render(first: boolean): void;
  /** The feed's status changed (connected, reconnecting). */
  statusChanged(): void;
  /** The live window shown, for the disk refresh. */
  windowMs(): number;
}

export class LiveFeed {
  data: LiveData | null = null;
  status: FollowStatus | null = null;
  /** performance.now() of the last render, so the 1 s tick does not draw twice. */
  lastRender = 0;
  private filling: Sample[] | null = null;
  private stopFollowing: (() => void) | null = null;
  private timers: number[] = [];
  private renderQueued = false;

  constructor(private readonly host: LiveFeedHost) {}

  /** Starts from the window's first data and follows the feed. */
  start(first: SeriesResult, keys: string[], disks: boolean, seq: number): void {
    const { client } = this.host;
    this.data = new LiveData(first, keys);
    this.host.render(true);
    this.stopFollowing = client.follow((sample) => this.onSample(sample, keys, seq), {
      pollMs: Math.max(1000, this.host.stepMs()),
      onStatus: (status) => {
        this.status = status;
        this.host.statusChanged();
      },
    });
    // The axis moves on even when no sample comes (the machine paused, the feed lost).
    this.timers.push(
      window.setInterval(() => {
        if (performance.now() - this.lastRender > 900) this.host.render(false);
      }, 1000),
    );
    if (disks) {
      this.timers.push(
        window.setInterval(() => {
          if (document.visibilityState !== 'visible') return;
          client.recent({ windowMs: this.host.windowMs(), keys: ['cpu'], disks: true }).then(
            (fresh) => this.host.isCurrent(seq) && this.data?.setDisks(fresh.disks),
            () => {},
          );
        }, REFRESH_LIVE_DISKS_MS),
      );
    }
  }

  stop(): void {
    this.stopFollowing?.();
    this.stopFollowing = null;
    for (const timer of this.timers) window.clearInterval(timer);
    this.timers = [];
    this.data = null;
    this.filling = null;
    this.status = null;
  }

  private onSample(sample: Sample, keys: string[], seq: number): void {
    const live = this.data;
    if (!live || !this.host.isCurrent(seq)) return;
    if (this.filling) {
      this.filling.push(sample);
      return;
    }
    const last = live.lastTs;
    if (last !== null && sample.ts - last > 2.5 * this.host.stepMs()) {
      // A hole (a hub's batch brings only its newest sample; a reconnection): fetch what is
      // stored between, then go on with the samples that came meanwhile.
      this.filling = [sample];
      void this.host.client
        .series({ from: last + 1, to: sample.ts + 1, points: MAX_POINTS, keys })
        .then(
          (hole) => this.host.isCurrent(seq) && live.merge(hole),
          () => {},
        )
        .finally(() => {
          const queued = this.filling ?? [];
          this.filling = null;
          if (!this.host.isCurrent(seq)) return;
          for (const s of queued) live.append(s);
          this.queueRender();
        });
      return;
    }
    if (live.append(sample)) this.queueRender();
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.host.render(false);
    });
  }
}
