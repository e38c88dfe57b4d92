// Save and folder dialogs that open in front. A tray-only app has no window to parent them, and
// on macOS 14+ such a dialog opens behind the app the user is in: the app comes forward first.
import type { AppApi, DialogApi } from '../electron-api.js';

export type FrontDialogs = Pick<DialogApi, 'showSaveDialog' | 'showOpenDialog'>;

export function frontDialogs(dialog: DialogApi, app: Pick<AppApi, 'focus'>, platform: NodeJS.Platform): FrontDialogs {
  const forward = () => {
    if (platform === 'darwin') app.focus({ steal: true });
  };
  return {
    showSaveDialog: (options) => {
      forward();
      return dialog.showSaveDialog(options);
    },
    showOpenDialog: (options) => {
      forward();
      return dialog.showOpenDialog(options);
    },
  };
}
