// `vigil watch` in a real 80×24 terminal (a pseudo-terminal from Python's pty module): every
// frame fits, no line wider than 80 columns (it would wrap and push the screen up), no more
// than 23 lines; q quits and leaves the alternate screen.
import { spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { VIGIL_BIN } from '../helpers/cli.js';

const PTY = `
import os, pty, sys, fcntl, termios, struct, select, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
out = sys.stdout.buffer
frames, sent = 0, False
deadline = time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out.write(data); out.flush()
        frames += data.count(b'Vigil watch \\xe2\\x80\\x94')
        if frames >= 2 and not sent:
            os.write(fd, b'q'); sent = True
os.waitpid(pid, 0)
`;

/** CSI sequences (cursor, alternate screen): ESC [ parameters letter. */
const ESCAPE_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[?\\d;]*[a-zA-Z]`, 'g');

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

it('fits an 80×24 terminal: no wrapped line, no scrolling; q quits', async () => {
  const child = spawn('/usr/bin/python3', ['-c', PTY, VIGIL_BIN, 'watch', '--interval', '1'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm' } });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  // Frames start with "cursor home, clear screen"; drop the other escape sequences.
  const frames = output.split('\x1b[H\x1b[2J').slice(1).map((frame) => frame.replace(ESCAPE_SEQUENCE, ''));
  const full = frames.filter((frame) => frame.startsWith('Vigil watch — '));
  expect(full.length).toBeGreaterThanOrEqual(2);
  for (const frame of full) {
    const lines = frame.replace(/\r/g, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line].length, line).toBeLessThan(80);
    expect(frame).toMatch(/^CPU +\d+\.\d %/m);
    expect(frame).toMatch(/^Cores +cpu0 \d+\.\d/m);
  }
  // The alternate screen was left.
  expect(output).toContain('\x1b[?1049l');
}, 90_000);
