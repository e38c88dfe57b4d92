// The metric table (./table.ts) compiled once into the lookups every output uses: which family a
// series key or CSV column belongs to and which instance it names, the key or column of an
// instance, the canonical order, and which families travel together. Checked when it loads: a
// table entry that breaks a rule (a placeholder its scope does not have, a Prometheus name that is
// not its measurement's, a key or column used twice) fails every test that imports it.
import { SCOPE_PLACEHOLDER, type CounterDescriptor, type MetricDescriptor, type MetricScope } from './descriptor.js';
import { METRIC_TABLE } from './table.js';

/** A compiled key or column pattern: literal text, or prefix + instance + suffix. */
export interface Pattern {
  readonly text: string;
  readonly prefix: string;
  readonly suffix: string;
  /** No placeholder: the pattern is the one key (or column) of its family. */
  readonly literal: boolean;
}

export interface MetricFamily {
  readonly descriptor: MetricDescriptor;
  readonly scope: MetricScope;
  /** Position in the table. */
  readonly index: number;
  /** Its block's first position: families of a block are ordered by instance first, then by index. */
  readonly rank: number;
  readonly key: Pattern | null;
  readonly column: Pattern | null;
  /** The line-protocol field: the Prometheus name after `<measurement>_`. */
  readonly lineProtocolField: string;
  /** Where the value sits in its record: the Sample group of a machine-scope family ('memory'), else null. */
  readonly recordGroup: string | null;
  /** …and the field there ('used'; 'rxBitsPerSecond' of a NetRate; 'used' of a DiskUsage); null for a CPU's value. */
  readonly recordField: string | null;
}

/** Consecutive families of one scope: what one instance (the machine, a CPU, an interface) carries. */
export interface MetricBlock {
  readonly scope: MetricScope;
  readonly families: readonly MetricFamily[];
}

/** A key or column parsed; shared between callers, so read-only. */
export interface ParsedName {
  readonly family: MetricFamily;
  /** The CPU number, interface or mount point; null for a machine-scope family. */
  readonly instance: string | null;
}

const CPU_NUMBER = /^(?:0|[1-9]\d*)$/;

/** Whether `instance` can stand in for the placeholder of `scope` (CPUs are numbers; names are anything non-empty). */
function validInstance(scope: MetricScope, instance: string): boolean {
  return scope === 'cpu' ? CPU_NUMBER.test(instance) : instance.length > 0;
}

function compilePattern(text: string, scope: MetricScope, what: string): Pattern {
  const placeholder = SCOPE_PLACEHOLDER[scope];
  const at = placeholder === null ? -1 : text.indexOf(placeholder);
  if (/\{[a-z]+\}/.test(placeholder === null ? text : text.replace(placeholder, '')) || (placeholder !== null && at < 0)) {
    throw new Error(`metric table: ${what} "${text}" must hold ${placeholder ?? 'no placeholder'} once (scope ${scope})`);
  }
  if (at < 0) return { text, prefix: text, suffix: '', literal: true };
  return { text, prefix: text.slice(0, at), suffix: text.slice(at + placeholder!.length), literal: false };
}

/** Compiles a table; throws when an entry breaks the table's rules. */
export function compileTable(table: readonly MetricDescriptor[]): { families: MetricFamily[]; blocks: MetricBlock[] } {
  const families: MetricFamily[] = [];
  const blocks: { scope: MetricScope; families: MetricFamily[] }[] = [];
  const seen = new Set<string>();
  const once = (what: string, text: string) => {
    if (seen.has(`${what}\0${text}`)) throw new Error(`metric table: ${what} "${text}" is used twice`);
    seen.add(`${what}\0${text}`);
  };
  table.forEach((descriptor, index) => {
    const { measurement } = descriptor.lineProtocol;
    const name = descriptor.prometheus.name;
    if (!name.startsWith(`${measurement}_`)) throw new Error(`metric table: ${name} is not a field of measurement ${measurement}`);
    once('Prometheus name', name);
    for (const counter of descriptor.prometheus.counters ?? []) {
      once('Prometheus name', counter.name);
      if (!/^vigil_[a-z0-9_]+_total$/.test(counter.name)) throw new Error(`metric table: counter ${counter.name} must be vigil_…_total`);
      const fits = counter.at === 'mode' ? descriptor.scope === 'cpu' : descriptor.scope === 'interface';
      if (!fits) throw new Error(`metric table: counter ${counter.name} (at ${counter.at}) does not fit scope ${descriptor.scope}`);
    }
    if (descriptor.key !== null) once('key', descriptor.key);
    if (descriptor.csv) once('CSV column', descriptor.csv.column);
    if (descriptor.key === null && descriptor.csv) throw new Error(`metric table: ${name} has a CSV column but no series key`);
    let block = blocks.at(-1);
    if (!block || block.scope !== descriptor.scope) blocks.push((block = { scope: descriptor.scope, families: [] }));
    const family: MetricFamily = {
      descriptor,
      scope: descriptor.scope,
      index,
      rank: block.families[0]?.index ?? index,
      key: descriptor.key === null ? null : compilePattern(descriptor.key, descriptor.scope, 'key'),
      column: descriptor.csv ? compilePattern(descriptor.csv.column, descriptor.scope, 'CSV column') : null,
      lineProtocolField: name.slice(measurement.length + 1),
      recordGroup: descriptor.scope === 'machine' ? descriptor.at[0] : null,
      recordField: descriptor.scope === 'machine' ? descriptor.at[1] : descriptor.scope === 'cpu' ? null : descriptor.at,
    };
    block.families.push(family);
    families.push(family);
  });
  return { families, blocks };
}

/** Finds family and instance for a text, by exact literal first, then by the longest matching pattern. */
class PatternIndex {
  private readonly literals = new Map<string, MetricFamily>();
  private readonly patterns: { pattern: Pattern; family: MetricFamily }[] = [];

  constructor(entries: readonly { pattern: Pattern | null; family: MetricFamily }[]) {
    for (const { pattern, family } of entries) {
      if (!pattern) continue;
      if (pattern.literal) this.literals.set(pattern.text, family);
      else this.patterns.push({ pattern, family });
    }
    // The most specific pattern wins: net.{iface}.rx_packets before a hypothetical net.{iface}.x.
    this.patterns.sort((a, b) => b.pattern.prefix.length + b.pattern.suffix.length - (a.pattern.prefix.length + a.pattern.suffix.length));
  }

  /**
   * Results are kept: the same few dozen keys come back with every stored row sync or exporting
   * reads (millions in a backfill). Bounded, for a machine whose interfaces come and go.
   */
  private readonly parsed = new Map<string, ParsedName | null>();

  parse(text: string): ParsedName | null {
    let result = this.parsed.get(text);
    if (result === undefined) {
      result = this.match(text);
      if (this.parsed.size >= 4096) this.parsed.clear();
      this.parsed.set(text, result);
    }
    return result;
  }

  private match(text: string): ParsedName | null {
    const family = this.literals.get(text);
    if (family) return { family, instance: null };
    for (const { pattern, family } of this.patterns) {
      if (text.length <= pattern.prefix.length + pattern.suffix.length || !text.startsWith(pattern.prefix) || !text.endsWith(pattern.suffix)) continue;
      const instance = text.slice(pattern.prefix.length, text.length - pattern.suffix.length);
      if (validInstance(family.scope, instance)) return { family, instance };
    }
    return null;
  }

  /** Whether some name of these patterns starts with `prefix` (a query's 'net.' or 'net.eth0.'). */
  hasPrefix(prefix: string): boolean {
    for (const literal of this.literals.keys()) if (literal.startsWith(prefix)) return true;
    return this.patterns.some(({ pattern }) => (prefix.length <= pattern.prefix.length ? pattern.prefix.startsWith(prefix) : prefix.startsWith(pattern.prefix)));
  }
}

const compiled = compileTable(METRIC_TABLE);

/** Every family, in table order. */
export const FAMILIES: readonly MetricFamily[] = compiled.families;
/** The blocks, in table order. */
export const BLOCKS: readonly MetricBlock[] = compiled.blocks;
/** Blocks of the per-tick Sample (every scope but filesystem). */
export const SAMPLE_BLOCKS: readonly MetricBlock[] = BLOCKS.filter((block) => block.scope !== 'filesystem');
/** Families of a filesystem, in table order (a DiskSample's disks). */
export const FILESYSTEM_FAMILIES: readonly MetricFamily[] = FAMILIES.filter((family) => family.scope === 'filesystem');

const keys = new PatternIndex(FAMILIES.map((family) => ({ pattern: family.key, family })));
const columns = new PatternIndex(FAMILIES.map((family) => ({ pattern: family.column, family })));

/** The family and instance a series key names; null for a key no family has. */
export function parseSeriesKey(key: string): ParsedName | null {
  return keys.parse(key);
}

/** The family and instance a CSV column names; null for a column no family has. */
export function parseColumn(name: string): ParsedName | null {
  return columns.parse(name);
}

/** Whether a key filter that ends in '.' selects anything a family can have. */
export function isSeriesPrefix(prefix: string): boolean {
  return prefix.endsWith('.') && keys.hasPrefix(prefix);
}

/** The text of a pattern for an instance (null: the literal). */
export function fill(pattern: Pattern, instance: string | number | null): string {
  return pattern.literal ? pattern.text : `${pattern.prefix}${instance}${pattern.suffix}`;
}

/** The family of a Prometheus name (for HELP, TYPE and order); undefined for others. */
export function familyByName(name: string): MetricFamily | undefined {
  return byName.get(name);
}
const byName = new Map(FAMILIES.map((family) => [family.descriptor.prometheus.name, family]));

/** A counter of the table with the family it stands next to. */
export interface MetricCounter {
  readonly counter: CounterDescriptor;
  readonly family: MetricFamily;
}

/** Every counter, in table order (each right after its family in the exposition). */
export const COUNTERS: readonly MetricCounter[] = FAMILIES.flatMap((family) => (family.descriptor.prometheus.counters ?? []).map((counter) => ({ counter, family })));

/** The counter of a Prometheus name; undefined for others. */
export function counterByName(name: string): MetricCounter | undefined {
  return countersByName.get(name);
}
const countersByName = new Map(COUNTERS.map((entry) => [entry.counter.name, entry]));
