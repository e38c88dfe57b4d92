// A one-line progress bar on a terminal (stderr), redrawn at most ~10 times a second.
const WIDTH = 30;

export class ProgressBar {
  private lastDraw = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  update(done: number, total: number): void {
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * WIDTH);
    const elapsed = (now - this.startedAt) / 1000;
    const eta = ratio > 0 && ratio < 1 ? ` eta ${Math.ceil((elapsed / ratio) * (1 - ratio))} s` : '';
    this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(ratio * 100).toFixed(0).padStart(3)} % ${done}/${total}${eta}\x1b[K`);
  }

  finish(summary: string): void {
    this.stream.write(`\r${this.label}: done, ${summary}\x1b[K\n`);
  }
}
