// The lead list (#/leads?stage=mql&cell=A1&offset=50): filters and paging done by the server
// (GET /api/v1/leads with q, stage, cell, owner, action, sort, limit, offset). A seller's list is
// forced to its own leads by the server, so its owner filter is hidden. Also exports the
// LeadSummary row used by other pages.
//
// Example: location.hash = '#/leads?stage=mql&limit=25' shows the first 25 MQLs.

import {api, query} from '../api.js';
import {field, fmtNum, h, leadLink, loading, notice, pill, render, select, table} from '../dom.js';
import {can} from '../session.js';

export const STAGES = [
  'new', 'mql', 'accepted', 'sql', 'opportunity', 'won', 'lost', 'nurture', 'disqualified',
  'recycled'
];

export const SUMMARY_HEADERS =
    ['Lead', 'Name', 'Title', 'Stage', 'Owner', 'Cell', 'Score', 'Action'];

// One table row of a LeadSummary.
export function summaryRow(l) {
  const s = l.score || null;
  return [
    leadLink(l.lead_id),
    l.name || l.email || '–',
    l.title || '–',
    pill(l.stage || '–', 'stage'),
    l.owner || '–',
    s?.cell || '–',
    {content: s ? fmtNum(s.score) : '–', class: 'num'},
    s?.action || '–',
  ];
}

const PAGE_SIZES = [25, 50, 100, 200, 500];

export async function show(main, {params}) {
  const filters = {
    q: params.get('q') || '',
    stage: params.get('stage') || '',
    cell: params.get('cell') || '',
    owner: can('queue.any') ? params.get('owner') || '' : '',
    action: params.get('action') || '',
    sort: params.get('sort') || 'score_desc',
    limit: Number(params.get('limit')) || 50,
    offset: Math.max(0, Number(params.get('offset')) || 0),
  };
  render(main, h('h1', {}, 'Leads'), loading());
  const list = await api('GET', '/leads' + query(filters));
  const total = Number(list.total ?? list.items?.length ?? 0);
  const items = list.items || [];
  const limit = Number(list.limit ?? filters.limit);
  const offset = Number(list.offset ?? filters.offset);

  const go = (changes) => {
    const next = {...filters, ...changes};
    const q = query({
      ...next,
      sort: next.sort === 'score_desc' ? '' : next.sort,
      limit: next.limit === 50 ? '' : next.limit,
      offset: next.offset || ''
    });
    location.hash = `#/leads${q}`;
  };

  const searchIn = h('input', {
    name: 'q',
    type: 'search',
    value: filters.q,
    size: 18,
    maxlength: 200,
    placeholder: 'name, e-mail, company',
    autocomplete: 'off'
  });
  const stageSel = select([['', 'Any stage'], ...STAGES], filters.stage, {name: 'stage'});
  const cellIn =
      h('input',
        {name: 'cell', value: filters.cell, size: 4, placeholder: 'A1', autocomplete: 'off'});
  const ownerIn = can('queue.any') ?
      h('input', {name: 'owner', value: filters.owner, size: 10, autocomplete: 'off'}) :
      null;
  const sortSel = select(
      [
        ['score_desc', 'Score, high first'], ['score_asc', 'Score, low first'],
        ['created', 'Newest'], ['lead_id', 'Lead id']
      ],
      filters.sort, {name: 'sort'});
  const sizeSel = select(PAGE_SIZES.map(String), String(limit), {name: 'limit'});

  const form =
      h('form', {
        class: 'filters',
        'aria-label': 'Filter leads',
        onsubmit: (e) => {
          e.preventDefault();
          go({
            q: searchIn.value.trim(),
            stage: stageSel.value,
            cell: cellIn.value.trim().toUpperCase(),
            owner: ownerIn ? ownerIn.value.trim() : '',
            sort: sortSel.value,
            limit: Number(sizeSel.value),
            offset: 0
          });
        }
      },
        field('Search', searchIn), field('Stage', stageSel), field('Cell', cellIn), ownerIn ? field('Owner', ownerIn) : null,
        field('Sort', sortSel), field('Per page', sizeSel), h('button', {type: 'submit'}, 'Apply'));

  const first = total ? offset + 1 : 0;
  const last = Math.min(offset + items.length, total);
  const pager = h(
      'nav', {class: 'pager', 'aria-label': 'Pages'},
      h('button', {
        type: 'button',
        class: 'secondary',
        disabled: offset <= 0,
        onclick: () => go({offset: Math.max(0, offset - limit)})
      },
        '← Previous'),
      h('span', {role: 'status'}, `${fmtNum(first, 0)}–${fmtNum(last, 0)} of ${fmtNum(total, 0)}`),
      h('button', {
        type: 'button',
        class: 'secondary',
        disabled: offset + limit >= total,
        onclick: () => go({offset: offset + limit})
      },
        'Next →'));

  render(
      main, h('h1', {}, 'Leads'),
      can('queue.any') ?
          null :
          h('p', {class: 'muted'}, 'Your own leads (those whose open handoff is yours).'),
      form,
      items.length ?
          table(SUMMARY_HEADERS, items.map(summaryRow), {caption: 'Leads matching the filters'}) :
          notice('No lead matches these filters.', 'info'),
      pager);
}
