// Issue 14, item 1: the counters next to the gauges. A real Prometheus scrapes the agent's
// /metrics every 5 s while iperf3 sends bursts over loopback; `increase()` of the byte counters
// over the scrapes around the bursts must match /proc/net/dev's delta within ±5 % (the 1-second
// rate gauges, sampled every 5 s, gave 0.12× to 4.3×). The CPU seconds of every mode must add up
// to the wall time that passed, per CPU.
//
// The window of increase() starts 1 ms before the scrape taken before the traffic and ends at
// the scrape taken after it, so Prometheus' extrapolation to the window's edges adds nothing
// measurable; both scrapes fall in quiet time, so whatever else uses loopback meanwhile (other
// test files) is in both figures alike.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../../src/core/http-client.js';
import { silentLogger } from '../../../src/core/log.js';
import { parseProcNetDev } from '../../../src/core/metrics/network.js';
import { Runtime } from '../../../src/core/runtime.js';
import { prometheusRoute } from '../../../src/core/server/prometheus.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { freePort, hasBinary, startPrometheus, type PrometheusService } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';

const available = ['prometheus', 'iperf3'].every(hasBinary) && fs.existsSync('/proc/net/dev');
const runReal = available || process.env.CI === 'true';

/** Loopback's byte counters now, as the kernel has them. */
function loopbackBytes(): { rx: number; tx: number } {
  const lo = parseProcNetDev(fs.readFileSync('/proc/net/dev', 'latin1')).find((entry) => entry.iface === 'lo')!;
  return { rx: lo.rxBytes, tx: lo.txBytes };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(runReal)('counters on /metrics through a real Prometheus (5 s scrapes)', () => {
  let runtime: Runtime;
  let prometheus: PrometheusService;
  let iperfServer: ChildProcess | undefined;
  let iperfPort: number;

  /** A PromQL query at a given time (seconds); the raw `data.result`. */
  async function query<T>(promql: string, time?: number): Promise<T[]> {
    const params = new URLSearchParams({ query: promql });
    if (time !== undefined) params.set('time', String(time));
    const response = await httpRequest({ url: `${prometheus.url}/api/v1/query?${params}` });
    const body = response.json<{ status: string; data: { result: T[] } }>();
    if (response.status !== 200 || body.status !== 'success') throw new Error(`${promql}: ${response.status} ${response.text()}`);
    return body.data.result;
  }

  /** The scrape times (seconds) Prometheus holds for loopback's receive counter, oldest first. */
  async function scrapeTimes(): Promise<number[]> {
    const result = await query<{ values: [number, string][] }>('vigil_network_receive_bytes_total{device="lo"}[5m]');
    return result[0]?.values.map(([at]) => at) ?? [];
  }

  /** Waits for a scrape taken after `afterSeconds` (Unix seconds); returns its time. */
  async function scrapeAfter(afterSeconds: number): Promise<number> {
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline) {
      const later = (await scrapeTimes()).filter((at) => at > afterSeconds);
      if (later.length > 0) return later[0]!;
      await sleep(200);
    }
    throw new Error(`no scrape after ${new Date(afterSeconds * 1000).toISOString()}: ${JSON.stringify(await prometheus.targets())}`);
  }

  beforeAll(async () => {
    const settings = mergeSettings(defaultSettings(), { server: { enabled: true, port: 0 }, machine: { name: 'counters-test' } });
    runtime = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent', routes: [prometheusRoute()] });
    prometheus = await startPrometheus([{ address: new URL(runtime.url!).host }], { scrapeIntervalSeconds: 5 });
    iperfPort = await freePort();
    iperfServer = spawn('iperf3', ['-s', '-B', '127.0.0.1', '-p', String(iperfPort)], { stdio: 'ignore' });
  });

  afterAll(async () => {
    iperfServer?.kill('SIGKILL');
    await prometheus?.stop();
    await runtime?.stop();
  });

  it('increase() of the byte counters matches /proc/net/dev within ±5 %, and CPU seconds add up to the wall time', async () => {
    // A scrape before the traffic, of a counter the agent read before it.
    const before = await scrapeAfter(0);
    const kernelBefore = loopbackBytes();

    // Bursts: 4 × 40 MB at full speed, 0.8 s apart, so a 5 s scrape interval sees traffic start
    // and stop inside it.
    for (let burst = 0; burst < 4; burst++) {
      if (burst > 0) await sleep(800);
      await run('iperf3', ['-c', '127.0.0.1', '-p', String(iperfPort), '-n', '40M']);
    }
    const trafficEnd = Date.now() / 1000;
    // The first scrape that holds a reading taken after the traffic (the agent reads every second).
    const after = await scrapeAfter(trafficEnd + 1.2);
    const kernelAfter = loopbackBytes();

    const windowMs = Math.round((after - before) * 1000) + 1;
    const increase = async (name: string) => {
      const [sample] = await query<{ value: [number, string] }>(`increase(${name}{device="lo"}[${windowMs}ms])`, after);
      return Number(sample!.value[1]);
    };
    const received = await increase('vigil_network_receive_bytes_total');
    const sent = await increase('vigil_network_transmit_bytes_total');
    const kernelReceived = kernelAfter.rx - kernelBefore.rx;
    const kernelSent = kernelAfter.tx - kernelBefore.tx;
    // iperf3 -n counts bytes written into the socket; what is still buffered when the server closes
    // its end never crosses loopback (a few MB per burst under load), so ask only that most did.
    expect(kernelReceived).toBeGreaterThan(120e6);
    expect(Math.abs(received / kernelReceived - 1), `received ${received} vs /proc/net/dev ${kernelReceived}`).toBeLessThanOrEqual(0.05);
    expect(Math.abs(sent / kernelSent - 1), `sent ${sent} vs /proc/net/dev ${kernelSent}`).toBeLessThanOrEqual(0.05);

    // Every mode of a CPU together is the wall time between the two scrapes' readings (the slots
    // of the samples those scrapes held: the agent reads on whole seconds, Prometheus does not).
    const [stamps] = await query<{ values: [number, string][] }>('vigil_sample_timestamp_seconds[5m]', after);
    const slotAt = (at: number) => Number(stamps!.values.find(([t]) => t === at)![1]);
    const elapsed = slotAt(after) - slotAt(before);
    expect(elapsed).toBeGreaterThan(4);
    const perCpu = await query<{ metric: { cpu: string }; value: [number, string] }>(`sum by (cpu) (increase(vigil_cpu_seconds_total[${windowMs}ms]))`, after);
    const modes = await query<{ metric: { mode: string } }>('count by (mode) (vigil_cpu_seconds_total)', after);
    expect(modes.map((m) => m.metric.mode).sort()).toEqual(['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user']);
    expect(perCpu.length).toBeGreaterThan(0);
    for (const cpu of perCpu) expect(Math.abs(Number(cpu.value[1]) / elapsed - 1), `cpu ${cpu.metric.cpu}: ${cpu.value[1]} s in ${elapsed} s`).toBeLessThanOrEqual(0.05);
  }, 60_000);
});
