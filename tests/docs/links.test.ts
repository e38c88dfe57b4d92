// Every relative link in README.md and docs/*.md points at a file that exists, and a link to a
// heading (`cli.md#data-folder`) at a heading that exists, with GitHub's anchor rules.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCS = path.join(ROOT, 'docs');

/** The Markdown files of the manual: the README and everything under docs/. */
function manualFiles(): string[] {
  const docs = fs.readdirSync(DOCS, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.md'));
  return [path.join(ROOT, 'README.md'), ...docs.map((name) => path.join(DOCS, name))];
}

/** Text without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

export function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Problems with one file's relative links: missing targets and missing anchors. */
export function brokenLinks(file: string, markdown: string): string[] {
  const problems: string[] = [];
  for (const link of links(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:: not ours to check here
    const [target = '', fragment] = link.split('#', 2);
    const resolved = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
    if (!fs.existsSync(resolved)) {
      problems.push(`${path.relative(ROOT, file)}: ${link} → no such file`);
      continue;
    }
    if (fragment && resolved.endsWith('.md') && !anchors(fs.readFileSync(resolved, 'utf8')).has(fragment)) {
      problems.push(`${path.relative(ROOT, file)}: ${link} → no heading #${fragment} in ${path.relative(ROOT, resolved)}`);
    }
  }
  return problems;
}

describe('the manual’s relative links', () => {
  it('finds links, anchors and broken ones (the checker itself)', () => {
    const page = '# A page\n\n## The API: `GET /x`\n\n[ok](links.test.ts) [gone](nowhere.md) ![img](missing.png) ' +
      '[self](#the-api-get-x) [bad anchor](#nope) `[not](a-link.md)` [web](https://example.org/)\n\n```\n[code](x.md)\n```\n';
    const file = path.join(import.meta.dirname, 'page.md');
    expect(links(page)).toEqual(['links.test.ts', 'nowhere.md', 'missing.png', '#the-api-get-x', '#nope', 'https://example.org/']);
    fs.writeFileSync(file, page);
    try {
      expect(brokenLinks(file, page)).toEqual([
        'tests/docs/page.md: nowhere.md → no such file',
        'tests/docs/page.md: missing.png → no such file',
        'tests/docs/page.md: #nope → no heading #nope in tests/docs/page.md',
      ]);
    } finally {
      fs.rmSync(file);
    }
    expect([...anchors('## Desktop (the tray app)\n## Run as a service\n## Run as a service\n')]).toEqual([
      'desktop-the-tray-app',
      'run-as-a-service',
      'run-as-a-service-1',
    ]);
  });

  it('README.md links to docs/, and every relative link in README.md and docs/*.md resolves', () => {
    const files = manualFiles();
    expect(files.map((file) => path.relative(ROOT, file))).toEqual(expect.arrayContaining(['README.md', 'docs/cli.md', 'docs/settings.md']));
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(links(readme).filter((link) => link.startsWith('docs/')).length).toBeGreaterThan(10);
    const problems = files.flatMap((file) => brokenLinks(file, fs.readFileSync(file, 'utf8')));
    expect(problems).toEqual([]);
  });
});
