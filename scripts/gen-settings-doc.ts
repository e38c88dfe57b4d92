// Writes docs/settings.md from the one settings schema (src/shared/settings.ts), so the manual
// cannot drift from what the agent, the hub and the tray app accept. Types, defaults and bounds
// come from the schema objects themselves; the descriptions are the JSDoc comments written on
// the schema's properties, read with the TypeScript compiler (they do not exist at run time).
//
//   npx tsx scripts/gen-settings-doc.ts           # rewrite docs/settings.md
//   npx tsx scripts/gen-settings-doc.ts --check   # exit 1 when docs/settings.md is out of date
//
// tests/docs/settings-doc.test.ts fails when docs/settings.md differs from this output.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { settingsSections } from '../src/shared/settings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SETTINGS_SOURCE = path.join(ROOT, 'src/shared/settings.ts');
/** Files holding more of the schema's sections, which settings.ts imports (their comments count too). */
export const SETTINGS_SECTION_SOURCES = [path.join(ROOT, 'src/shared/settings-alerting.ts')];
export const SETTINGS_DOC = path.join(ROOT, 'docs/settings.md');

interface PropertySchema {
  type?: string;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  items?: ObjectSchema | PropertySchema;
}

interface ObjectSchema {
  type: 'object';
  properties: Record<string, PropertySchema>;
  required?: readonly string[];
}

/** JSDoc text of a node, joined into one line (the doc is a table). */
function jsDocOf(node: ts.Node): string {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  return docs
    .map((doc) => (typeof doc.comment === 'string' ? doc.comment : ts.getTextOfJSDocComment(doc.comment) ?? ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface SourceDocs {
  /** Section key (`sync`) → the comment on its `export const syncSchema`. */
  sections: Map<string, string>;
  /** `sync.url`, `peers.list.token` → the comment on that property. */
  properties: Map<string, string>;
}

/**
 * Reads the comments of src/shared/settings.ts (`source`, its text) and of the section files it
 * imports: per section variable and per property path.
 */
export function readSourceDocs(source = fs.readFileSync(SETTINGS_SOURCE, 'utf8')): SourceDocs {
  const files = [
    ts.createSourceFile('settings.ts', source, ts.ScriptTarget.Latest, true),
    ...SETTINGS_SECTION_SOURCES.map((file) => ts.createSourceFile(path.basename(file), fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)),
  ];
  const variableDocs = new Map<string, string>();
  const variablePropertyDocs = new Map<string, Map<string, string>>();
  const sectionVariables = new Map<string, string>();

  const unwrap = (node: ts.Expression): ts.Expression => {
    let current = node;
    while (ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isParenthesizedExpression(current)) current = current.expression;
    return current;
  };
  const collect = (literal: ts.ObjectLiteralExpression, prefix: string, into: Map<string, string>): void => {
    for (const property of literal.properties) {
      if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
      const name = property.name.text;
      if (name === 'properties' && ts.isObjectLiteralExpression(property.initializer)) {
        for (const entry of property.initializer.properties) {
          if (!ts.isPropertyAssignment(entry) || !ts.isIdentifier(entry.name)) continue;
          const key = prefix ? `${prefix}.${entry.name.text}` : entry.name.text;
          const doc = jsDocOf(entry);
          if (doc) into.set(key, doc);
          const value = unwrap(entry.initializer);
          if (ts.isObjectLiteralExpression(value)) collect(value, key, into);
        }
      } else if (name === 'items' && ts.isObjectLiteralExpression(property.initializer)) {
        collect(property.initializer, prefix, into);
      }
    }
  };

  for (const statement of files.flatMap((file) => file.statements)) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
      const variable = declaration.name.text;
      const value = unwrap(declaration.initializer);
      if (!ts.isObjectLiteralExpression(value)) continue;
      if (variable === 'settingsSections') {
        for (const entry of value.properties) {
          if (ts.isPropertyAssignment(entry) && ts.isIdentifier(entry.name) && ts.isIdentifier(entry.initializer)) {
            sectionVariables.set(entry.name.text, entry.initializer.text);
          }
        }
        continue;
      }
      variableDocs.set(variable, jsDocOf(statement));
      const properties = new Map<string, string>();
      collect(value, '', properties);
      variablePropertyDocs.set(variable, properties);
    }
  }

  const sections = new Map<string, string>();
  const properties = new Map<string, string>();
  for (const [section, variable] of sectionVariables) {
    const doc = variableDocs.get(variable);
    if (doc) sections.set(section, doc);
    for (const [key, text] of variablePropertyDocs.get(variable) ?? []) properties.set(`${section}.${key}`, text);
  }
  return { sections, properties };
}

/** Text for a table cell: pipes escaped, code spans for literal values. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Comment text as Markdown: `<data-dir>` would otherwise be read as an HTML tag and vanish. */
function prose(text: string): string {
  return cell(text.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

function code(value: unknown): string {
  return `\`${cell(JSON.stringify(value))}\``;
}

function allowed(schema: PropertySchema): string {
  const parts: string[] = [];
  if (schema.enum) parts.push(`one of ${schema.enum.map(code).join(', ')}`);
  if (schema.type === 'integer' || schema.type === 'number') {
    const kind = schema.type === 'integer' ? 'integer' : 'number';
    if (schema.minimum !== undefined && schema.maximum !== undefined) parts.push(`${kind} ${schema.minimum}–${schema.maximum}`);
    else if (schema.minimum !== undefined) parts.push(`${kind} ≥ ${schema.minimum}`);
    else if (schema.maximum !== undefined) parts.push(`${kind} ≤ ${schema.maximum}`);
    else parts.push(kind);
  } else if (schema.type === 'string' && !schema.enum) {
    const length =
      schema.minLength !== undefined && schema.maxLength !== undefined
        ? `${schema.minLength}–${schema.maxLength} characters`
        : schema.maxLength !== undefined
          ? `at most ${schema.maxLength} characters`
          : '';
    parts.push(['string', length].filter(Boolean).join(', '));
    if (schema.pattern) parts.push(`matching \`${cell(schema.pattern)}\``);
  } else if (schema.type === 'boolean') {
    parts.push('`true` or `false`');
  } else if (schema.type === 'array') {
    parts.push(`list${schema.maxItems !== undefined ? ` of at most ${schema.maxItems}` : ''}`);
  }
  return parts.join(', ');
}

function row(key: string, schema: PropertySchema, description: string): string {
  const fallback = 'default' in schema ? code(schema.default) : '—';
  return `| \`${key}\` | ${fallback} | ${allowed(schema)} | ${prose(description)} |`;
}

/** The whole of docs/settings.md. */
export function renderSettingsDoc(source?: string): string {
  const docs = readSourceDocs(source);
  const lines: string[] = [
    '# Settings',
    '',
    '<!-- Generated by scripts/gen-settings-doc.ts from src/shared/settings.ts: do not edit by hand.',
    '     Run `npx tsx scripts/gen-settings-doc.ts` after changing the schema. -->',
    '',
    'Settings live in `<data-dir>/config.json` (the data folder: see [the CLI](cli.md#data-folder)).',
    'The file is validated against one JSON Schema (`src/shared/settings.ts`) by `conf`, the library',
    'electron-store wraps, so the agent, the hub (in its own data folder) and the tray app read the',
    'same file the same way. Missing keys take their defaults; an invalid value is refused with the',
    'field named. Unknown keys inside a section are errors (they are typos), named with the nearest',
    'known one (`unknown key "sampling.intervalSecond" (did you mean "sampling.intervalSeconds"?)`).',
    'Unknown top-level sections are ignored with a one-line warning naming them (in the agent\'s',
    'and the hub\'s log, on stderr for other commands), so a file written by a newer Vigil still',
    'opens in an older one. `--config FILE` must name a file that exists (`vigil agent',
    '--init-config` creates it with the defaults); only the data folder\'s own `config.json` is',
    'created when missing.',
    '',
    'A running agent re-reads the file on SIGHUP. Tokens and passwords are never in this file: each',
    'lives in a file of its own (mode 0600) that the settings below name.',
    '',
    'Sections: ' + Object.keys(settingsSections).map((section) => `[\`${section}\`](#${section.toLowerCase()})`).join(' · '),
    '',
  ];
  for (const [section, schema] of Object.entries(settingsSections) as [string, ObjectSchema][]) {
    lines.push(`## ${section}`, '');
    const intro = docs.sections.get(section);
    if (intro) lines.push(prose(intro), '');
    lines.push('| key | default | allowed | meaning |', '| --- | --- | --- | --- |');
    for (const [name, property] of Object.entries(schema.properties)) {
      const key = `${section}.${name}`;
      lines.push(row(key, property, docs.properties.get(key) ?? ''));
      const items = property.items as ObjectSchema | undefined;
      if (items?.type === 'object') {
        for (const [itemName, itemProperty] of Object.entries(items.properties)) {
          const itemKey = `${key}[].${itemName}`;
          const required = items.required?.includes(itemName) ? 'required' : 'optional';
          const doc = docs.properties.get(`${key}.${itemName}`);
          lines.push(row(itemKey, itemProperty, [required, doc].filter(Boolean).join('. ')));
        }
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

function main(): void {
  const text = renderSettingsDoc();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(SETTINGS_DOC) ? fs.readFileSync(SETTINGS_DOC, 'utf8') : '';
    if (current !== text) {
      console.error('docs/settings.md is out of date: run `npx tsx scripts/gen-settings-doc.ts`');
      process.exit(1);
    }
    return;
  }
  fs.mkdirSync(path.dirname(SETTINGS_DOC), { recursive: true });
  fs.writeFileSync(SETTINGS_DOC, text);
  console.log(`wrote ${path.relative(ROOT, SETTINGS_DOC)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
