// A Playwright reporter that says why tests were skipped (the list reporter only marks them):
// "skipped 6 tests of tray app in Electron: no Electron binary on this machine (…)".
import type { Reporter, TestCase } from '@playwright/test/reporter';

export default class SkipReasons implements Reporter {
  private readonly reasons = new Map<string, string[]>();

  onTestEnd(test: TestCase): void {
    if (test.outcome() !== 'skipped') return;
    const reason = test.annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given';
    const group = test.parent.title || test.location.file;
    const key = `${group}\u0000${reason}`;
    this.reasons.set(key, [...(this.reasons.get(key) ?? []), test.title]);
  }

  onEnd(): void {
    for (const [key, tests] of this.reasons) {
      const [group, reason] = key.split('\u0000');
      process.stdout.write(`  skipped ${tests.length} test${tests.length === 1 ? '' : 's'} of "${group}": ${reason}\n`);
    }
  }

  printsToStdio(): boolean {
    return true;
  }
}
