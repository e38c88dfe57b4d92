// The fleet table: one row per machine (a link to its charts, its state, when it was last seen,
// its latest CPU, memory and network figures) and the summary line above it. Built with
// textContent only: machine names are data, never markup. "Last seen" is what the hub says
// (GET /api/machines, the live feed), never the moment this page happened to load a sample.
import type { FleetState, HubMachine } from '../../shared/hub-api.js';
import type { Sample } from '../../shared/model.js';
import { formatBits, formatBytes, formatDuration, formatPercent } from '../../shared/units.js';
import { h } from '../dom.js';

interface Row {
  machine: HubMachine;
  badge: HTMLElement;
  seen: HTMLElement;
  cpu: HTMLElement;
  memory: HTMLElement;
  network: HTMLElement;
}

export class FleetTable {
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly table: HTMLTableElement,
    private readonly summary: HTMLElement,
    /** The hub's clock now (this browser's, corrected by the skew the hub's list showed). */
    private readonly hubNow: () => number,
  ) {}

  has(machineId: string): boolean {
    return this.rows.has(machineId);
  }

  /** The column headers, from the page (one place for their wording). */
  private get labels(): string[] {
    return [...this.table.tHead!.rows[0]!.cells].map((th) => th.textContent ?? '');
  }

  render(machines: readonly HubMachine[]): void {
    const body = this.table.tBodies[0]!;
    body.textContent = '';
    this.rows.clear();
    for (const machine of machines) {
      const badge = h('span');
      const cell = (text: string, numeric = false) => h('td', { className: numeric ? 'num' : undefined, text });
      const seen = cell('');
      const cpu = cell('–', true);
      const memory = cell('–', true);
      const network = cell('–', true);
      const name = h('td', {}, h('a', { href: `machines/${encodeURIComponent(machine.id)}/`, text: machine.name }), machine.self ? h('span', { className: 'self', text: '(this hub)' }) : null);
      const tr = h('tr', { 'data-id': machine.id }, name, h('td', {}, badge), seen, cpu, memory, network, cell(machine.version ?? ''));
      // Each cell names its column: on a narrow screen a row is a card, one labelled line per cell.
      tr.querySelectorAll('td').forEach((td, i) => td.setAttribute('data-label', this.labels[i] ?? ''));
      body.append(tr);
      this.rows.set(machine.id, { machine: { ...machine }, badge, seen, cpu, memory, network });
      this.setState(machine.id, machine.state, machine.lastSeen);
    }
    this.table.hidden = false;
    this.summarize();
  }

  setState(machineId: string, state: FleetState, lastSeen: number | null): void {
    const row = this.rows.get(machineId);
    if (!row) return;
    row.machine.state = state;
    row.badge.className = `badge ${state}`;
    row.badge.textContent = state;
    this.seen(machineId, lastSeen);
    this.summarize();
  }

  /** When the hub last heard from the machine (its clock). */
  seen(machineId: string, lastSeen: number | null): void {
    const row = this.rows.get(machineId);
    if (!row) return;
    if (lastSeen !== null && (row.machine.lastSeen === null || lastSeen > row.machine.lastSeen)) row.machine.lastSeen = lastSeen;
    row.seen.textContent = this.ago(row.machine.lastSeen);
  }

  showSample(machineId: string, sample: Sample | null): void {
    const row = this.rows.get(machineId);
    if (!row || !sample) return;
    row.cpu.textContent = formatPercent(sample.cpu.total);
    row.memory.textContent = `${formatBytes(sample.memory.used)} / ${formatBytes(sample.memory.total)}`;
    let rx = 0;
    let tx = 0;
    for (const rate of sample.net) {
      if (rate.loopback || rate.virtual) continue;
      rx += rate.rxBitsPerSecond ?? 0;
      tx += rate.txBitsPerSecond ?? 0;
    }
    row.network.textContent = `${formatBits(rx)} / ${formatBits(tx)}`;
  }

  /** Moves every "… ago" on (once a second). */
  tick(): void {
    for (const row of this.rows.values()) row.seen.textContent = this.ago(row.machine.lastSeen);
  }

  private ago(lastSeen: number | null): string {
    return lastSeen === null ? 'never' : `${formatDuration(this.hubNow() - lastSeen)} ago`;
  }

  private summarize(): void {
    const counts: Record<FleetState, number> = { up: 0, stale: 0, sleeping: 0, new: 0 };
    for (const { machine } of this.rows.values()) counts[machine.state]++;
    const total = this.rows.size;
    this.summary.textContent =
      `${total} machine${total === 1 ? '' : 's'}: ${counts.up} up, ${counts.stale} stale, ${counts.sleeping} sleeping` + (counts.new ? `, ${counts.new} never reported` : '');
  }
}
