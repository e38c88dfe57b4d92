import { describe, expect, it } from 'vitest';
import { alertNotification, createNotifier } from '../../src/main/notifications.js';
import { createFakeElectron } from './helpers/fake-electron.js';

describe('notifications', () => {
  it('an alert becomes a title and its first lines; problems are urgent, recoveries quiet', () => {
    expect(alertNotification({ severity: 'problem', title: 'web-1 is DOWN', details: ['a', 'b', 'c', 'd'] })).toEqual({ title: 'web-1 is DOWN', body: 'a\nb\nc', urgency: 'critical', silent: false });
    expect(alertNotification({ severity: 'recovery', title: 'web-1 is back', details: ['Down for 4 min'] })).toEqual({ title: 'web-1 is back', body: 'Down for 4 min', urgency: 'normal', silent: true });
    expect(alertNotification({ severity: 'reminder', title: 'web-1 is still DOWN', details: [] }).urgency).toBe('critical');
  });

  it('shown with the app icon; nothing when the desktop has no notification service', () => {
    const { api, world } = createFakeElectron({ platform: 'linux', appPath: '/app' });
    const notifier = createNotifier(api.Notification, '/app/assets/build/icon.png');
    let clicked = 0;
    notifier.show({ title: 't', body: 'b', urgency: 'normal', silent: true }, () => clicked++);
    expect(world.shownNotifications[0]!.options).toEqual({ title: 't', body: 'b', urgency: 'normal', silent: true, icon: '/app/assets/build/icon.png' });
    world.shownNotifications[0]!.ref.deref()!.click();
    expect(clicked).toBe(1);
    world.notificationsSupported = false;
    notifier.show({ title: 'x', body: '', urgency: 'low', silent: true });
    expect(world.shownNotifications).toHaveLength(1);
  });
});
