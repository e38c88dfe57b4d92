// The access token of an agent that listens beyond loopback. Asked once (a dialog), then kept for
// the tab (sessionStorage) or, if the person ticks "remember", for the browser (localStorage).
// A link may carry it in the fragment (#token=…): fragments never reach the server or its logs,
// and the page removes it from the address bar at once.
import { byId } from './dom.js';

const KEY = 'vigil.token';

function storages(): Storage[] {
  const out: Storage[] = [];
  try {
    out.push(window.sessionStorage, window.localStorage);
  } catch {
    // Storage disabled (privacy settings): the token lives in memory only.
  }
  return out;
}

let memoryToken: string | null = null;

export function currentToken(): string | null {
  if (memoryToken) return memoryToken;
  for (const storage of storages()) {
    const token = storage.getItem(KEY);
    if (token) return (memoryToken = token);
  }
  return null;
}

export function saveToken(token: string, remember: boolean): void {
  memoryToken = token;
  const [session, local] = storages();
  session?.setItem(KEY, token);
  if (remember) local?.setItem(KEY, token);
  else local?.removeItem(KEY);
}

export function forgetToken(): void {
  memoryToken = null;
  for (const storage of storages()) storage.removeItem(KEY);
}

/** Takes a token from #token=… (and removes it from the address bar). */
export function takeTokenFromFragment(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  saveToken(decodeURIComponent(match[1]!), false);
  const url = new URL(window.location.href);
  url.hash = '';
  history.replaceState(history.state, '', url.pathname + url.search);
}

let pending: Promise<string> | null = null;

/**
 * Shows the token dialog; resolves with the token entered. Requests refused at the same time
 * (the page asks for the host and its data at once) share the one dialog.
 */
export function askForToken(problem: string | null): Promise<string> {
  if (pending) {
    if (problem) byId('token-error').textContent = problem;
    return pending;
  }
  pending = showTokenDialog(problem).finally(() => (pending = null));
  return pending;
}

function showTokenDialog(problem: string | null): Promise<string> {
  const dialog = byId<HTMLDialogElement>('token-dialog');
  const form = byId<HTMLFormElement>('token-form');
  const input = byId<HTMLInputElement>('token-input');
  const remember = byId<HTMLInputElement>('token-remember');
  byId('token-error').textContent = problem ?? '';
  input.value = '';
  return new Promise((resolve) => {
    // Escape would close the dialog with nothing to show behind it: keep it open.
    const onCancel = (event: Event): void => event.preventDefault();
    const onSubmit = (event: Event): void => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('cancel', onCancel);
      saveToken(token, remember.checked);
      dialog.close();
      resolve(token);
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('cancel', onCancel);
    if (!dialog.open) dialog.showModal();
    input.focus();
  });
}
