// The pipeline page (#/pipeline): the funnel as a bar chart, leads per grade cell as a heat map
// (a table whose cells are coloured by count, the count in text), and MQLs waiting for an owner.
//
// Example: show(main, {}) renders GET /api/v1/pipeline into main.

import {api} from '../api.js';
import {barChart} from '../charts.js';
import {fmtNum, fmtTime, h, loading, notice, render, table} from '../dom.js';
import {can} from '../session.js';

import {SUMMARY_HEADERS, summaryRow} from './leads.js';

// Background for a heat-map cell: white at 0, deep blue at the largest count.
export function heat(count, max) {
  const t = max > 0 ? count / max : 0;
  const light = Math.round(97 - t * 55);  // 97% (nearly white) .. 42%
  return {background: `hsl(216 70% ${light}%)`, dark: light < 70};
}

function heatMap(grid) {
  const fits = grid?.fit_grades || [];
  const intents = grid?.intent_grades || [];
  const counts = grid?.counts || [];
  if (!fits.length || !intents.length)
    return notice('No grades yet: apply a model to score leads.', 'info');
  const max = Math.max(0, ...counts.flat().map(Number));
  const rows = fits.map(
      (fit, i) =>
          [{header: true, content: `Fit ${fit}`},
           ...intents.map((intent, j) => {
             const n = Number(counts[i]?.[j] ?? 0);
             const {background, dark} = heat(n, max);
             const link = can('leads') && n > 0 ? h('a', {
               href: `#/leads?cell=${encodeURIComponent(fit + intent)}`,
               'aria-label': `${n} leads in cell ${fit}${intent}`
             },
                                                    fmtNum(n, 0)) :
                                                  fmtNum(n, 0);
             return {
               content: link,
               class: `heat${dark ? ' heat-dark' : ''}`,
               style: `background:${background}`
             };
           }),
  ]);
  return table(
      ['Fit \\ intent', ...intents.map((g) => `Intent ${g}`)], rows,
      {caption: 'Leads per grade cell (darker is more)', className: 'heatmap'});
}

export async function show(main) {
  render(main, h('h1', {}, 'Pipeline'), loading());
  const p = await api('GET', '/pipeline');
  const funnel =
      p.funnel || Object.entries(p.by_stage || {}).map(([stage, count]) => ({stage, count}));
  const waiting = p.waiting || [];
  render(
      main, h('h1', {}, 'Pipeline'),
      p.as_of ? h('p', {class: 'muted'}, `As of ${fmtTime(p.as_of)}`) : null,
      h('div', {class: 'grid-2'},
        h('section', {class: 'card', 'aria-labelledby': 'funnel-h'},
          h('h2', {id: 'funnel-h'}, 'Funnel'),
          barChart(
              'Leads reaching each stage', funnel.map((f) => f.stage),
              [{label: 'Leads', data: funnel.map((f) => Number(f.count))}]),
          table(
              ['Stage', 'Leads'],
              funnel.map(
                  (f) =>
                      [can('leads') ?
                           h('a', {href: `#/leads?stage=${encodeURIComponent(f.stage)}`}, f.stage) :
                           f.stage,
                       {content: fmtNum(f.count, 0), class: 'num'}]),
              {className: 'compact'})),
        h('section', {class: 'card', 'aria-labelledby': 'grid-h'},
          h('h2', {id: 'grid-h'}, 'Grade cells'), heatMap(p.grid))),
      h('section', {class: 'card', 'aria-labelledby': 'waiting-h'},
        h('h2', {id: 'waiting-h'}, `MQLs waiting for assignment (${waiting.length})`),
        waiting.length ? table(SUMMARY_HEADERS, waiting.map(summaryRow)) :
                         h('p', {}, 'None: every MQL has an owner.')));
}
