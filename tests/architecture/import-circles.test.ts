// src/ has no import circle (issue 16): a module graph without circles can be read, tested and
// loaded bottom-up. Every import counts, type-only and dynamic ones too (import-graph.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { importCircles, importGraph } from './import-graph.js';

function tree(files: Record<string, string>): string {
  const root = tempDir('vigil-import-graph-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('import circles', () => {
  it('finds a circle made of a type-only import', () => {
    const root = tree({
      'hub/hub.ts': "import { routes } from './routes.js';\nexport class Hub {}\nroutes();\n",
      'hub/routes.ts': "import type { Hub } from './hub.js';\nexport function routes(_hub?: Hub) {}\n",
      'shared/x.ts': 'export const x = 1;\n',
    });
    expect(importCircles(importGraph(root))).toEqual([['hub/hub.ts', 'hub/routes.ts', 'hub/hub.ts']]);
  });

  it('finds a circle closed by a dynamic import, or by a re-export, across folders', () => {
    const root = tree({
      'a.ts': "export const load = () => import('./core/b.js');\n",
      'core/b.ts': "export * from './c.js';\n",
      'core/c.ts': "import '../a.js';\nexport const c = 1;\n",
      'core/self.ts': "export { c } from './self.js';\n",
    });
    expect(importCircles(importGraph(root))).toEqual([['a.ts', 'core/b.ts', 'core/c.ts', 'a.ts'], ['core/self.ts', 'core/self.ts']]);
  });

  it('finds none where imports only go one way (packages and Node built-ins are leaves)', () => {
    const root = tree({
      'a.ts': "import fs from 'node:fs';\nimport { b } from './b.js';\nimport { c } from './c';\nexport const a = [fs, b, c];\n",
      'b.ts': "import { c } from './c.js';\nexport const b = c;\n",
      'c.ts': "import Database from 'better-sqlite3';\nexport const c = Database;\n",
    });
    const graph = importGraph(root);
    expect(graph.get('a.ts')).toEqual(['b.ts', 'c.ts']);
    expect(importCircles(graph)).toEqual([]);
  });

  it('src/ has none', () => {
    const graph = importGraph(path.resolve('src'));
    expect(graph.size).toBeGreaterThan(100);
    expect(importCircles(graph).map((circle) => circle.join(' → '))).toEqual([]);
  });
});
