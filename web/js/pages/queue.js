// The queue page (#/queue, #/queue?owner=ana): an owner's leads most urgent first, each with a
// response clock that counts down every second from its due_at and turns red when overdue
// ("overdue by 12 min"). Admin and ops pick the owner from GET /api/v1/owners; a seller sees
// its own queue.
//
// Example: show(main, {params: new URLSearchParams('owner=ana')}) returns a cleanup function
// that stops the clocks.

import {api, itemsOf, query} from '../api.js';
import {clockText, field, fmtNum, fmtTime, h, leadLink, loading, notice, pill, render, select, table} from '../dom.js';
import {can, session} from '../session.js';

// Seconds from `nowMs` to the item's due time, or null when it has no clock.
export function secondsLeft(dueMs, nowMs) {
  if (dueMs === null || Number.isNaN(dueMs)) return null;
  return Math.floor((dueMs - nowMs) / 1000);
}

export async function show(main, {params, isCurrent}) {
  render(main, h('h1', {}, 'My queue'), loading());
  let owner = session.me.owner || '';
  let owners = [];
  if (can('queue.any')) {
    owners = itemsOf(await api('GET', '/owners'));
    owner = params.get('owner') || owner || owners[0]?.owner_id || '';
  }
  if (!owner) {
    render(
        main, h('h1', {}, 'My queue'),
        notice('No owner to show: add owners first (leadq owner add).', 'info'));
    return undefined;
  }
  const answer = await api('GET', '/queue' + query({owner}));
  if (!isCurrent()) return undefined;
  const items = itemsOf(answer);
  const loadedAt = Date.now();

  const ownerPicker = can('queue.any') ?
      h('form', {class: 'filters', onsubmit: (e) => e.preventDefault()},
        field(
            'Owner',
            select(
                owners.map(
                    (o) =>
                        [o.owner_id,
                         `${o.name || o.owner_id}${
                             o.open !== undefined ? ` (${o.open} open)` : ''}`]),
                owner, {
                  name: 'owner',
                  onchange: (e) => {
                    location.hash = `#/queue?owner=${encodeURIComponent(e.target.value)}`;
                  },
                }))) :
      null;

  const clocks = [];
  const rows = items.map((it) => {
    let due = it.due_at ? Date.parse(it.due_at) : null;
    if (due === null && typeof it.minutes_left === 'number')
      due = loadedAt + it.minutes_left * 60000;
    const clock = h('span', {class: 'clock'});
    if (due !== null)
      clocks.push({el: clock, due});
    else
      clock.textContent = 'no clock';
    return [
      leadLink(it.lead_id),
      it.name || '–',
      pill(it.stage || '–', 'stage'),
      it.cell || '–',
      {content: fmtNum(it.score), class: 'num'},
      it.due_at ? fmtTime(it.due_at) : '–',
      clock,
      it.next_step || it.why || '–',
    ];
  });

  const tick = () => {
    const now = Date.now();
    for (const c of clocks) {
      const left = secondsLeft(c.due, now);
      const text = clockText(left);
      if (c.el.textContent !== text) c.el.textContent = text;
      c.el.classList.toggle('overdue', left < 0);
      c.el.classList.toggle('soon', left >= 0 && left < 15 * 60);
    }
  };
  tick();
  const timer = setInterval(tick, 1000);

  render(
      main, h('h1', {}, `Queue of ${answer?.owner || owner}`), ownerPicker,
      items.length ?
          table(
              ['Lead', 'Name', 'Stage', 'Cell', 'Score', 'Due', 'Response clock', 'Next step'],
              rows, {caption: 'Most urgent first', className: 'queue'}) :
          notice('Nothing in this queue right now.', 'info'));
  return () => clearInterval(timer);
}
