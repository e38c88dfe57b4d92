// Where the tray icon lives on each OS, for the first launch: a tray app that shows nothing else
// can look as if it never started. Windows 11 puts new icons in the overflow area, a MacBook's
// notch can hide menu bar items, and stock GNOME shows no tray icons at all.
export function whereTheIconLives(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return 'Vigil lives in the menu bar, at the top right of the screen. On a MacBook with a notch, a full menu bar can hide it: quit an app in the menu bar, or open Vigil again to see this chart.';
    case 'win32':
      return 'Vigil lives in the notification area of the taskbar. Windows may put it behind the ^ arrow: drag it from there onto the taskbar to keep it in sight.';
    default:
      return 'Vigil lives in the system tray. Stock GNOME shows no tray icons: add the "AppIndicator and KStatusNotifierItem Support" extension, or open Vigil again to see this chart.';
  }
}
