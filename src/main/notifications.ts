// Native notifications for alerts (a peer down or back, a threshold crossed, an unexpected reboot)
// and for the app's own news (an export finished). The alert pipeline (src/core/alerts) reports
// each state change through its listener hook; this turns one into a desktop notification.
import type { ElectronApi, NotificationApi } from './electron-api.js';

/** The part of an alert a notification shows (src/core/alerts' AlertChange has these fields). */
export interface AlertLike {
  severity: 'problem' | 'recovery' | 'notice' | 'reminder';
  title: string;
  details: readonly string[];
}

export interface NotificationContent {
  title: string;
  body: string;
  /** Linux: critical notifications stay until dismissed. */
  urgency: 'normal' | 'critical' | 'low';
  silent: boolean;
}

/** Notification bodies show a few lines at most; the first details are the ones that matter. */
const BODY_LINES = 3;

export function alertNotification(alert: AlertLike): NotificationContent {
  const problem = alert.severity === 'problem' || alert.severity === 'reminder';
  return {
    title: alert.title,
    body: alert.details.slice(0, BODY_LINES).join('\n'),
    urgency: problem ? 'critical' : 'normal',
    silent: !problem,
  };
}

export interface Notifier {
  show(content: NotificationContent, onClick?: () => void): void;
}

/** Notifications kept alive at most; past it the oldest (long dismissed, surely) are let go. */
const MAX_KEPT = 50;

export function createNotifier(Notification: ElectronApi['Notification'], iconPath: string | null): Notifier {
  // Electron's Notification has nothing keeping it alive: once unreferenced, the garbage collector
  // takes it and a later click reaches no listener (electron#16922, #12690). Each one is kept here
  // until it is clicked or closed.
  const kept = new Set<NotificationApi>();
  return {
    show(content, onClick) {
      // Some Linux desktops have no notification daemon: then there is nothing to show.
      if (!Notification.isSupported()) return;
      const notification = new Notification({ ...content, ...(iconPath ? { icon: iconPath } : {}) });
      kept.add(notification);
      if (kept.size > MAX_KEPT) kept.delete(kept.values().next().value!);
      notification.on('click', () => {
        kept.delete(notification);
        onClick?.();
      });
      notification.on('close', () => kept.delete(notification));
      notification.show();
    },
  };
}
