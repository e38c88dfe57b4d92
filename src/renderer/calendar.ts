// A month calendar for the date field: days with data stand out, days without are dimmed (still
// selectable: the page then says there is nothing), future days are disabled. A grid of buttons
// with a roving tabindex: arrows move by day and week, PageUp/PageDown by month, Home/End to the
// week's ends, Enter picks, Escape closes.
import { addDays, compareDays, daysInMonth, formatDay, type LocalDay } from '../shared/dates.js';
import { h } from './dom.js';

export interface CalendarOptions {
  root: HTMLElement;
  button: HTMLButtonElement;
  /** Days with data in [from, to], as DD-MM-YYYY. */
  daysWithData(from: LocalDay, to: LocalDay): Promise<Set<string>>;
  today(): LocalDay;
  selected(): LocalDay;
  pick(day: LocalDay): void;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];

export class Calendar {
  private focusDay: LocalDay = { day: 1, month: 1, year: 1970 };
  private readonly cache = new Map<string, Set<string> | Promise<Set<string>>>();

  constructor(private readonly options: CalendarOptions) {
    options.button.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
    options.root.addEventListener('keydown', (event) => this.onKey(event));
    document.addEventListener('pointerdown', (event) => {
      const target = event.target as Node;
      if (this.isOpen && !options.root.contains(target) && !options.button.contains(target)) this.close(false);
    });
  }

  get isOpen(): boolean {
    return !this.options.root.hidden;
  }

  open(): void {
    this.focusDay = this.options.selected();
    this.options.root.hidden = false;
    this.options.button.setAttribute('aria-expanded', 'true');
    this.render(true);
  }

  close(focusButton = true): void {
    this.options.root.hidden = true;
    this.options.button.setAttribute('aria-expanded', 'false');
    if (focusButton) this.options.button.focus();
  }

  /** Forget what is known about days with data (today's may have gained some). */
  invalidate(): void {
    this.cache.clear();
  }

  private render(focus: boolean): void {
    const { year, month } = this.focusDay;
    const root = this.options.root;
    const today = this.options.today();
    const selected = this.options.selected();
    const key = `${year}-${month}`;
    const known = this.cache.get(key);
    const withData = known instanceof Set ? known : null;
    if (!known) this.load(year, month);

    const previous = h('button', { type: 'button', 'aria-label': 'Previous month', text: '‹', 'data-nav': '-1' });
    const next = h('button', { type: 'button', 'aria-label': 'Next month', text: '›', 'data-nav': '1' });
    const lastOfMonth = { year, month, day: daysInMonth(year, month) };
    next.disabled = compareDays({ year, month, day: 1 }, { ...today, day: 1 }) >= 0;
    previous.addEventListener('click', () => this.moveMonth(-1));
    next.addEventListener('click', () => this.moveMonth(1));

    const head = h('tr', {}, ...WEEKDAYS.map((d) => h('th', { scope: 'col', text: d })));
    const body = h('tbody');
    const first = new Date(year, month - 1, 1, 12).getDay();
    let cell = 0;
    let row = h('tr');
    for (let blank = (first + 6) % 7; blank > 0; blank--, cell++) row.append(h('td'));
    for (let d = 1; d <= lastOfMonth.day; d++, cell++) {
      if (cell > 0 && cell % 7 === 0) {
        body.append(row);
        row = h('tr');
      }
      const day = { year, month, day: d };
      const text = formatDay(day);
      const future = compareDays(day, today) > 0;
      const has = withData?.has(text) ?? false;
      const classes = [future ? 'future' : withData ? (has ? 'has-data' : 'no-data') : 'unknown'];
      if (compareDays(day, today) === 0) classes.push('today');
      if (compareDays(day, selected) === 0) classes.push('selected');
      const isFocus = compareDays(day, this.focusDay) === 0;
      const state = future ? 'in the future' : withData ? (has ? 'data recorded' : 'no data') : 'checking';
      const button = h('button', {
        type: 'button',
        className: classes.join(' '),
        'data-day': text,
        tabindex: isFocus ? 0 : -1,
        'aria-label': `${text}, ${state}`,
        'aria-pressed': compareDays(day, selected) === 0 ? 'true' : 'false',
        text: String(d),
      });
      button.disabled = future;
      button.addEventListener('click', () => this.choose(day));
      row.append(h('td', {}, button));
    }
    body.append(row);

    root.replaceChildren(
      h('div', { className: 'calendar-head' }, previous, h('h2', { text: `${MONTHS[month - 1]} ${year}`, 'aria-live': 'polite' }), next),
      h('table', { role: 'grid' }, h('thead', {}, head), body),
      h('div', { className: 'calendar-legend' }, h('span', {}, h('span', { className: 'swatch' }), 'data recorded'), h('span', { className: 'dim', text: 'dimmed: no data' })),
    );
    root.dataset.month = `${String(month).padStart(2, '0')}-${year}`;
    root.dataset.loaded = withData ? 'true' : 'false';
    if (focus) (root.querySelector('button[tabindex="0"]') as HTMLButtonElement | null)?.focus();
  }

  private load(year: number, month: number): void {
    const key = `${year}-${month}`;
    const from = { year, month, day: 1 };
    const today = this.options.today();
    if (compareDays(from, today) > 0) {
      this.cache.set(key, new Set());
      return;
    }
    const to = { year, month, day: daysInMonth(year, month) };
    const pending = this.options.daysWithData(from, to);
    this.cache.set(key, pending);
    pending.then(
      (days) => {
        this.cache.set(key, days);
        if (this.isOpen && this.focusDay.year === year && this.focusDay.month === month) {
          const hadFocus = this.options.root.contains(document.activeElement);
          this.render(hadFocus);
        }
      },
      () => this.cache.delete(key),
    );
  }

  private choose(day: LocalDay): void {
    this.close();
    this.options.pick(day);
  }

  private moveMonth(delta: number): void {
    const target = new Date(this.focusDay.year, this.focusDay.month - 1 + delta, 1, 12);
    const year = target.getFullYear();
    const month = target.getMonth() + 1;
    this.focusDay = { year, month, day: Math.min(this.focusDay.day, daysInMonth(year, month)) };
    this.clampToToday();
    this.render(this.options.root.contains(document.activeElement));
  }

  private clampToToday(): void {
    const today = this.options.today();
    if (compareDays(this.focusDay, today) > 0) this.focusDay = today;
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close();
      return;
    }
    if (!target.dataset.day) return;
    const steps: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    const weekday = (new Date(this.focusDay.year, this.focusDay.month - 1, this.focusDay.day, 12).getDay() + 6) % 7;
    if (event.key in steps) this.focusDay = addDays(this.focusDay, steps[event.key]!);
    else if (event.key === 'Home') this.focusDay = addDays(this.focusDay, -weekday);
    else if (event.key === 'End') this.focusDay = addDays(this.focusDay, 6 - weekday);
    else if (event.key === 'PageUp' || event.key === 'PageDown') {
      event.preventDefault();
      this.moveMonth(event.key === 'PageUp' ? -1 : 1);
      return;
    } else return;
    event.preventDefault();
    this.clampToToday();
    this.render(true);
  }
}
