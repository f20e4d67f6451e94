// The export page (#/export, #/export?tier=qualified&top=40): the buyer shortlist with its five
// criteria (met / failed / unknown, each with its evidence) and, per buyer, the landed-cost
// breakdown in an expandable section.
//
// Example: show(main, {params: new URLSearchParams('tier=qualified')}).

import {api, query} from '../api.js';
import {field, fmtNum, fmtPct, h, loading, notice, pill, render, select, table} from '../dom.js';

export const CRITERIA = ['activity', 'capability', 'movement', 'economics', 'access'];

function landed(lc) {
  if (!lc) return h('p', {class: 'muted'}, 'No landed cost for this buyer.');
  const cur = lc.currency || '';
  return h(
      'details', {class: 'landed'},
      h('summary', {},
        `Landed cost ${fmtNum(lc.landed)} ${cur}` +
            (lc.landed_usd !== undefined ? ` (${fmtNum(lc.landed_usd)} USD)` : '') + ' per unit'),
      table(
          ['Line', `Amount (${cur})`, 'USD', 'How'],
          (lc.lines || [])
              .map(
                  (l) =>
                      [l.name, {content: fmtNum(l.amount), class: 'num'},
                       {content: fmtNum(l.usd), class: 'num'}, l.how]),
          {className: 'compact'}));
}

function buyerCard(b) {
  const crit = b.criteria || {};
  return h(
      'article', {class: 'card buyer', 'aria-labelledby': `buyer-${b.id}`},
      h('h2', {id: `buyer-${b.id}`}, `${b.rank ?? ''}. ${b.name} `,
        h('span', {class: 'muted'}, `(${b.country || '–'})`), ' ', pill(b.tier || '–', 'tier')),
      h('p', {}, `${b.product || ''} · ${b.met ?? 0} met, ${b.failed ?? 0} failed`),
      h('ul', {class: 'criteria'}, CRITERIA.map((k) => {
        const c = crit[k] || {verdict: 'unknown', evidence: ''};
        return h(
            'li', {}, h('strong', {}, k), ' ', pill(c.verdict || 'unknown'), ' ',
            h('span', {class: 'evidence'}, c.evidence || 'no evidence'));
      })),
      landed(b.landed_cost),
      b.signals?.margin !== undefined ?
          h('p', {class: 'muted small'}, `Margin ${fmtPct(b.signals.margin)}`) :
          null);
}

export async function show(main, {params}) {
  const tier = params.get('tier') || '';
  const top = params.get('top') || '';
  render(main, h('h1', {}, 'Export buyers'), loading());
  const list = await api('GET', '/trade/shortlist' + query({tier, top}));
  const buyers = list.buyers || list.items || [];
  const tierSel =
      select([['', 'Any tier'], 'qualified', 'developing', 'artifact'], tier, {name: 'tier'});
  const topIn = h('input', {
    type: 'number',
    name: 'top',
    min: 1,
    value: top || '',
    placeholder: '40',
    inputmode: 'numeric'
  });
  render(
      main, h('h1', {}, 'Export buyers'),
      list.as_of ? h('p', {class: 'muted'}, `Shortlist as of ${list.as_of}`) : null,
      h('form', {
        class: 'filters',
        onsubmit: (e) => {
          e.preventDefault();
          location.hash = `#/export${query({tier: tierSel.value, top: topIn.value})}`;
        }
      },
        field('Tier', tierSel), field('How many', topIn), h('button', {type: 'submit'}, 'Show')),
      buyers.length ?
          [
            table(
                ['#', 'Buyer', 'Country', 'Tier', ...CRITERIA],
                buyers.map(
                    (b) =>
                        [{content: b.rank ?? '', class: 'num'},
                         h('a', {
                           href: `#buyer-${b.id}`,
                           onclick: (e) => {
                             e.preventDefault();
                             document.getElementById(`buyer-${b.id}`)?.scrollIntoView();
                           }
                         },
                           b.name),
                         b.country || '–', b.tier || '–',
                         ...CRITERIA.map((k) => pill(b.criteria?.[k]?.verdict || 'unknown'))]),
                {caption: 'Shortlist', className: 'compact'}),
            buyers.map(buyerCard)
          ] :
          notice(
              'No buyer in the shortlist: import customs records (leadq trade import).', 'info'));
}
