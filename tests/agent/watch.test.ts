// `vigil watch` outside a terminal prints one block per interval (a pipe cannot be redrawn).
import { describe, expect, it } from 'vitest';
import { finished, startVigil, waitFor } from '../helpers/cli.js';

describe('vigil watch', () => {
  it('shows live CPU, memory and every interface each interval, and quits on SIGINT', async () => {
    const watch = startVigil(['watch', '--interval', '1']);
    await waitFor(() => (watch.output.stdout.match(/^Vigil watch — /gm) ?? []).length >= 2, 'two refreshes');
    watch.kill('SIGINT');
    const result = await finished(watch);
    expect(result.code).toBe(0);
    const blocks = result.stdout.split(/^Vigil watch — /m).filter(Boolean);
    const last = blocks.at(-1)!;
    expect(last).toMatch(/^CPU +\d+\.\d %/m);
    expect(last).toMatch(/^Memory .* used of .* available/m);
    expect(last).toMatch(/^ +lo +[\d.]+ [kMG]?bit\/s +[\d.]+ [kMG]?bit\/s \(loopback\)$/m);
    // Consecutive refreshes are one interval apart on the wall clock.
    const stamps = [...result.stdout.matchAll(/^Vigil watch — (\S+) /gm)].map((m) => Date.parse(m[1]!));
    expect(stamps[1]! - stamps[0]!).toBe(1000);
  });

  it('refuses a bad interval', async () => {
    const watch = startVigil(['watch', '--interval', 'fast']);
    const result = await finished(watch);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/whole seconds from 1 to 3600/);
  });
});
