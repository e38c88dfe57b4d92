// What a metric descriptor says: the shape of one entry of the metric table (./table.ts), after
// Glances' per-plugin `fields_description`. One entry per metric family (one Prometheus name)
// holds everything every output needs to know about it, so that the CSV columns, /metrics, the
// line protocol, the API's sample schema, the charts and the CLI's lines are generated from the
// table rather than written per metric (./catalog.ts derives the lookups they use).
//
// Pure data on purpose (strings and numbers, no functions): the renderer imports it, a document
// can be generated from it, and a test fixture can add an entry exactly as a new metric would.
import type { DiskUsage, InterfaceCounters, NetRate, Sample } from '../model.js';

/**
 * What one instance of a family belongs to. The scope decides the key's placeholder, the tags or
 * labels outside Vigil, and where the value sits:
 * - machine: one value per machine, at `at` = [group, field] of a Sample (`sample.memory.used`);
 * - cpu: one value per logical CPU, `sample.cpu.cores[n]`; placeholder `{cpu}` (0, 1, …), label cpu;
 * - interface: one value per network interface, field `at` of its NetRate; placeholder `{iface}`,
 *   labels device and kind (physical, virtual, loopback);
 * - filesystem: one value per mounted filesystem, field `at` of its DiskUsage (sampled less often,
 *   in a DiskSample); placeholder `{mount}`, labels device, fstype and mountpoint.
 */
export type MetricScope = 'machine' | 'cpu' | 'interface' | 'filesystem';

/** The placeholder each scope's key and CSV column patterns hold. */
export const SCOPE_PLACEHOLDER = { machine: null, cpu: '{cpu}', interface: '{iface}', filesystem: '{mount}' } as const satisfies Record<MetricScope, string | null>;

/** Vigil's unit of a value: in the Sample, SQLite, the CSV and the API. */
export type MetricUnit = 'percent' | 'bytes' | 'bits_per_second' | 'load';

type NumberFields<T> = { [K in keyof T]-?: T[K] extends number | null ? K : never }[keyof T] & string;
type Groups = { [G in keyof Sample]: NonNullable<Sample[G]> extends readonly unknown[] ? never : NonNullable<Sample[G]> extends object ? G : never }[keyof Sample];
/** Where a machine-scope value sits in a Sample: [group, field], e.g. ['memory', 'used']. */
export type SamplePath = { [G in Groups]: readonly [G, NumberFields<NonNullable<Sample[G]>>] }[Groups];

/** Where the value sits in the record of its scope (see MetricScope). */
export type MetricLocation =
  | { readonly scope: 'machine'; readonly at: SamplePath }
  | { readonly scope: 'cpu' }
  | { readonly scope: 'interface'; readonly at: NumberFields<NetRate> }
  | { readonly scope: 'filesystem'; readonly at: DiskField };

/**
 * The display groups, in the order the CLI and the charts show them. `title` names the chart panel
 * and the CLI row; `legend` follows a CLI row whose values need one.
 */
export const METRIC_GROUPS = {
  cpu: { title: 'CPU' },
  memory: { title: 'Memory' },
  swap: { title: 'Swap' },
  load: { title: 'Load', legend: '(1, 5, 15 min)' },
  net: { title: 'Network' },
  disk: { title: 'Disk' },
} as const satisfies Record<string, { title: string; legend?: string }>;
export type MetricGroup = keyof typeof METRIC_GROUPS;

/** The colours a chart theme has for series (shared/chart-config.ts, ChartTheme). */
export type ChartColor = 'cpu' | 'memUsed' | 'memFree' | 'memTotal' | 'rx' | 'tx' | 'swap' | 'load1' | 'load5' | 'load15';

/**
 * The numeric fields of a DiskUsage (optional ones too), and usedPercent: df's Use%, computed
 * from them (shared/disk-usage.ts), not stored.
 */
export type DiskField = { [K in keyof DiskUsage]-?: NonNullable<DiskUsage[K]> extends number ? K : never }[keyof DiskUsage] | 'usedPercent';

/** The numeric fields of InterfaceCounters (optional ones too: a reader may not have them). */
type CounterField = { [K in keyof InterfaceCounters]-?: NonNullable<InterfaceCounters[K]> extends number ? K : never }[keyof InterfaceCounters];

/**
 * A cumulative counter next to a family. `at`: the field of an interface's InterfaceCounters (an
 * interface-scope family), or 'mode' for a CPU's seconds per mode (a cpu-scope family: one series
 * per CPU and mode, label mode). Its name ends in _total and is unique in the table.
 */
export interface CounterDescriptor {
  readonly name: string;
  readonly help: string;
  readonly at: CounterField | 'mode';
}

export type MetricDescriptor = MetricLocation & {
  /**
   * Series key pattern: literal text, plus the scope's placeholder for per-CPU and per-interface
   * families ('net.{iface}.rx'). The key names the series in SQLite, the API and the charts.
   * null: not a per-tick series (filesystems: sampled apart, not in the CSV yet).
   */
  readonly key: string | null;
  readonly unit: MetricUnit;
  /**
   * The step every value is a whole multiple of: values are quantized to it at the source and
   * stored as integer steps, so changing it changes what stored data means.
   */
  readonly resolution: number;
  /**
   * When a value may be missing (null), why: the CSV leaves the cell empty, /metrics and the line
   * protocol leave the sample out, a chart says so; never a made-up 0. Absent: always measured.
   * A Sample group whose every value may be missing is null as a whole when none is there.
   */
  readonly missing?: string;
  readonly group: MetricGroup;
  /** Its name within the group (chart legend, CLI): 'used', 'in', '1 min', 'cpu{cpu}'. */
  readonly label: string;
  /** The daily CSV's column, with the scope's placeholder where the key has it; null: no column. */
  readonly csv: { readonly column: string } | null;
  /**
   * Prometheus exposition (/metrics): the family's name, HELP text and TYPE. The name is
   * `<lineProtocol.measurement>_<field>` (metrics-exposition/convention.ts): the line protocol's
   * field is the rest of it.
   */
  readonly prometheus: {
    readonly name: string;
    readonly help: string;
    readonly type: 'gauge' | 'counter';
    /**
     * The cumulative counters a rate is computed from, exposed next to it (TYPE counter) so that
     * rate() and increase() work on scrapes of any interval (issue 14). Exposed from the raw
     * counters of the latest reading (CounterSnapshot), on /metrics only: they are not stored.
     */
    readonly counters?: readonly CounterDescriptor[];
  };
  /** InfluxDB line protocol: the measurement the field goes in, and the field's type. */
  readonly lineProtocol: { readonly measurement: string; readonly type: 'float' | 'integer' };
  /**
   * Vigil's unit → the base unit outside (percent → ratio: 0.01; bit/s → byte/s: 0.125), applied
   * to the integer steps so the result is exact (0.123, not 0.12300000000000001). Absent: 1.
   */
  readonly exportScale?: number;
  /**
   * node_exporter's name for the same quantity, for an opt-in node_exporter naming of /metrics
   * (issue 14); absent where node_exporter has no gauge with these semantics.
   */
  readonly nodeExporter?: { readonly name: string };
  /**
   * Drawn in its group's chart (shared/chart-config.ts), in this colour; absent: not drawn (the
   * per-CPU family has a chart of its own, a heat strip; filesystems are drawn as % of their size).
   */
  readonly chart?: { readonly color: ChartColor; /** A reference line: dashed, no min/max band. */ readonly reference?: boolean };
};
