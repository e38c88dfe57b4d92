// The app's preload bridge, as the settings and export pages see it (see shared/app-ipc.ts). The
// pages run only in the tray app's windows; opened anywhere else they say so instead of failing.
import type { Settled } from '../../shared/api-client.js';
import { unwrap } from '../../shared/api-client.js';
import { BRIDGE_KEY, type WindowBridge } from '../../shared/app-ipc.js';

export function windowBridge(): WindowBridge | null {
  const bridge = (window as unknown as Record<string, WindowBridge | undefined>)[BRIDGE_KEY];
  return bridge && bridge.app && bridge.api ? bridge : null;
}

/** Awaits a bridge call and returns its value, or throws its VigilError. */
export async function call<T>(result: Promise<Settled<T>>): Promise<T> {
  return unwrap(await result);
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'text') element.textContent = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null) element.append(child);
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing element #${id}`);
  return element as T;
}
