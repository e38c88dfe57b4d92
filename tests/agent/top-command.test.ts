// `vigil top` tells node (and python, java…) processes apart: the script they run, not the
// interpreter's path and flag list, which are the same for all of them and fill the column.
import { describe, expect, it } from 'vitest';
import { displayCommand, formatTop } from '../../src/agent/commands/top.js';

describe('vigil top command column', () => {
  it('shows the interpreter and its script with the script’s arguments', () => {
    expect(displayCommand('/work/cache/node22/bin/node --no-opt --no-maglev --no-sparkplug --max-semi-space-size=1 /opt/vigil/bin/vigil.js agent')).toBe('node /opt/vigil/bin/vigil.js agent');
    expect(displayCommand('/usr/bin/node --require /srv/otel.js --enable-source-maps /srv/api/server.js --port 8080')).toBe('node /srv/api/server.js --port 8080');
    expect(displayCommand('/usr/bin/python3.12 -u -X dev -m http.server 8000')).toBe('python3.12 -m http.server 8000');
    expect(displayCommand('/usr/lib/jvm/java-21/bin/java -Xmx2g -cp /opt/app/lib/* -jar /opt/app/app.jar')).toBe('java -jar /opt/app/app.jar');
    expect(displayCommand('C:\\Program_Files\\nodejs\\node.exe C:\\srv\\worker.js')).toBe('node.exe C:\\srv\\worker.js');
    // A REPL (nothing after the options), other programs and kernel threads: as they are.
    expect(displayCommand('/usr/bin/node --inspect')).toBe('/usr/bin/node --inspect');
    expect(displayCommand('/usr/sbin/sshd -D')).toBe('/usr/sbin/sshd -D');
    expect(displayCommand('[kworker/0:1]')).toBe('[kworker/0:1]');
  });

  it('in the table, two node processes differ within 80 columns', () => {
    const node = (pid: number, script: string) => ({ pid, user: 'app', name: 'node', cpuPercent: 12.5, memoryPercent: 1.2, memoryBytes: 90e6, threads: 11, state: 'S', command: `/home/app/.nvm/versions/node/v22.11.0/bin/node --max-old-space-size=4096 --enable-source-maps ${script}` });
    const lines = formatTop({ sort: 'cpu', windowMs: 500, total: 2, cpus: 2, processes: [node(101, '/srv/api/server.js'), node(102, '/srv/jobs/worker.js')] } as Parameters<typeof formatTop>[0], 80);
    expect(lines.slice(3).map((l) => l.length <= 80 && l.slice(l.indexOf('node '))).filter(Boolean)).toEqual(['node /srv/api/server.js', 'node /srv/jobs/worker.js']);
  });
});
