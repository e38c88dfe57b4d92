// What the person chose to see: which charts (the "Charts" menu) and which network interfaces (the
// checkboxes under the charts). Both are remembered in this browser (preferences.ts); interfaces
// nobody chose follow their kind (virtual and loopback off).
import type { SeriesResult } from '../shared/api.js';
import { PANEL_GROUPS, type PanelKind } from '../shared/panels.js';
import { byId, h } from './dom.js';
import { loadInterfaceChoices, loadPanels, saveInterfaceChoices, savePanels } from './preferences.js';

type Iface = { name: string; loopback: boolean; virtual: boolean };

export class ChartChoices {
  /** The charts shown, in PANEL_GROUPS order. */
  panels: PanelKind[] = loadPanels();
  /** Interfaces the person switched on or off. */
  private ifaceChoice = new Map<string, boolean>();
  private machineId: string | null = null;

  constructor(
    private readonly on: {
      /** Other charts were chosen: other series are needed. */
      panelsChanged(): void;
      /** An interface was switched on or off: draw again. */
      interfacesChanged(): void;
    },
  ) {
    this.renderPicker();
  }

  /** The machine is known: its remembered interface choices apply. */
  forMachine(machineId: string): void {
    this.machineId = machineId;
    this.ifaceChoice = loadInterfaceChoices(machineId);
  }

  visibleInterfaces(data: SeriesResult): string[] {
    return data.interfaces.filter((i) => this.visible(i)).map((i) => i.name);
  }

  /** The interface checkboxes for the interfaces in `data`. */
  renderInterfaces(data: SeriesResult): void {
    const fieldset = byId('interfaces');
    const list = byId('interface-list');
    fieldset.hidden = data.interfaces.length === 0 || !this.panels.includes('net');
    const names = data.interfaces.map((i) => i.name).join('\0');
    // Rebuilt only when the interfaces change (the live view draws every second).
    if (list.dataset.names === names) {
      for (const iface of data.interfaces) {
        const input = list.querySelector<HTMLInputElement>(`input[data-iface="${CSS.escape(iface.name)}"]`);
        if (input) input.checked = this.visible(iface);
      }
      return;
    }
    list.dataset.names = names;
    list.replaceChildren(
      ...data.interfaces.map((iface) => {
        const input = h('input', { type: 'checkbox', 'data-iface': iface.name });
        input.checked = this.visible(iface);
        input.addEventListener('change', () => {
          this.ifaceChoice.set(iface.name, input.checked);
          if (this.machineId !== null) saveInterfaceChoices(this.machineId, this.ifaceChoice);
          this.on.interfacesChanged();
        });
        const kind = iface.loopback ? 'loopback' : iface.virtual ? 'virtual' : null;
        return h('label', {}, input, iface.name, kind ? ' ' : null, kind ? h('span', { className: 'kind', text: `(${kind})` }) : null);
      }),
    );
  }

  private visible(iface: Iface): boolean {
    return this.ifaceChoice.get(iface.name) ?? !(iface.loopback || iface.virtual);
  }

  /** The "Charts" menu: a checkbox per chart. */
  private renderPicker(): void {
    const list = byId('chart-list');
    list.replaceChildren(
      ...PANEL_GROUPS.map((group) => {
        const input = h('input', { type: 'checkbox', 'data-panel-kind': group.id });
        input.checked = this.panels.includes(group.id);
        input.addEventListener('change', () => {
          const shown = new Set(this.panels);
          if (input.checked) shown.add(group.id);
          else shown.delete(group.id);
          this.panels = PANEL_GROUPS.map((g) => g.id).filter((id) => shown.has(id));
          savePanels(this.panels);
          this.on.panelsChanged();
        });
        return h('label', {}, input, group.label);
      }),
    );
  }
}
