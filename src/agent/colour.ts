// Colour for the CLI's human output (vigil status, watch, hub list): a little, where it helps to
// read at a glance (a value over its alert threshold, a machine down or up), never needed to
// understand the text. Off when the output is not a terminal (a pipe, a file), when NO_COLOR is
// set to anything non-empty (https://no-color.org: it wins, even over FORCE_COLOR), with --json
// (the callers never colour JSON), and on a terminal without colours (TERM=dumb). FORCE_COLOR
// (not 0/false) turns it on for a pipe.
//
// Node's util.styleText makes the escapes. The decision is made here rather than left to
// styleText's own stream check: that check exists only from Node 22.13 (before, styleText always
// coloured), and it lets FORCE_COLOR override NO_COLOR.
import { stripVTControlCharacters, styleText } from 'node:util';

type Style = 'red' | 'yellow' | 'green' | 'bold' | 'dim';

export interface Paint {
  readonly enabled: boolean;
  style(style: Style, text: string): string;
}

/** A stream's say on colour: a TTY, and what its terminal supports. */
interface OutputStream {
  isTTY?: boolean;
  hasColors?(): boolean;
}

export const noColour: Paint = { enabled: false, style: (_style, text) => text };

/** Whether to colour what goes to `stream`, given the environment (see the header). */
export function colourWanted(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (stream.isTTY !== true) return false;
  // hasColors() reads TERM (dumb: none) and the platform; a TTY stream always has it.
  return stream.hasColors?.() ?? true;
}

/** The Paint for output to `stream` (process.stdout by default). */
export function paintFor(stream: OutputStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Paint {
  if (!colourWanted(stream, env)) return noColour;
  return { enabled: true, style: (style, text) => styleText(style, text, { validateStream: false }) };
}

/** Characters a terminal shows for `text` (escapes do not take a column). */
export function visibleLength(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/**
 * The colour of a percentage against its alert threshold: red above it, yellow within 10 points
 * under it. With no threshold set (0), against 90 and 75, so a nearly full disk still stands out.
 */
export function levelStyle(percent: number, threshold: number): Style | null {
  const red = threshold > 0 ? threshold : 90;
  const yellow = threshold > 0 ? Math.max(0, threshold - 10) : 75;
  if (percent > red) return 'red';
  if (percent >= yellow) return 'yellow';
  return null;
}
