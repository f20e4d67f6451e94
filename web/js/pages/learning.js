// The learning page (#/learning, #/learning?capacity=40): calibration (predicted against
// observed win rate) and the ROC curve as line charts, win rate by score band as a bar chart,
// and the threshold table for a weekly capacity the user types.
//
// Example: rocPoints({roc: [{false_positive_rate: 0.1, true_positive_rate: 0.6}]})
//   -> [{x: 0, y: 0}, {x: 0.1, y: 0.6}, {x: 1, y: 1}]

import {api, query} from '../api.js';
import {barChart, lineChart} from '../charts.js';
import {field, fmtNum, fmtPct, h, loading, notice, render, table} from '../dom.js';

// ROC points {x: false positive rate, y: true positive rate} from (0,0) to (1,1). Uses the
// report's `roc` when it has one; otherwise builds the curve at the decile edges: bands from
// the highest score down, each adding its wins to the true positives and its other leads to
// the false positives. E.g. bands (high first) 10 leads/8 wins, 10/2 with 10 wins and 10
// losses in all give (0,0), (0.2,0.8), (1,1).
export function rocPoints(cal) {
  let pts = [];
  if (Array.isArray(cal?.roc) && cal.roc.length) {
    pts = cal.roc.map((p) => ({
                        x: Number(p.false_positive_rate ?? p.fpr ?? p.x),
                        y: Number(p.true_positive_rate ?? p.tpr ?? p.y),
                      }));
  } else {
    const bands =
        [...(cal?.deciles || [])].sort((a, b) => Number(b.score_low) - Number(a.score_low));
    const wins = bands.reduce((s, b) => s + Number(b.wins || 0), 0);
    const losses = bands.reduce((s, b) => s + Number(b.leads || 0) - Number(b.wins || 0), 0);
    if (!wins || !losses) return [];
    let tp = 0;
    let fp = 0;
    for (const b of bands) {
      tp += Number(b.wins || 0);
      fp += Number(b.leads || 0) - Number(b.wins || 0);
      pts.push({x: fp / losses, y: tp / wins});
    }
  }
  pts = pts.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
            .sort((a, b) => a.x - b.x || a.y - b.y);
  if (!pts.length || pts[0].x !== 0 || pts[0].y !== 0) pts.unshift({x: 0, y: 0});
  const last = pts[pts.length - 1];
  if (last.x !== 1 || last.y !== 1) pts.push({x: 1, y: 1});
  return pts;
}

const DIAGONAL = {
  label: 'Chance / perfect calibration',
  data: [{x: 0, y: 0}, {x: 1, y: 1}],
  borderDash: [4, 4],
  pointRadius: 0
};

function calibrationSection(cal) {
  if (!cal || !cal.leads) {
    return notice(
        'No outcomes yet: calibration needs won and lost leads (import outcomes).', 'info');
  }
  const rel = cal.reliability || [];
  const bands = cal.deciles || [];
  const roc = rocPoints(cal);
  return [
    h('p', {},
      `${fmtNum(cal.leads, 0)} leads with an outcome: ${fmtNum(cal.wins, 0)} won, ` +
          `${fmtNum(cal.losses, 0)} lost. AUC ${fmtNum(cal.auc, 3)}` +
          (Array.isArray(cal.auc_interval) ?
               ` (${fmtNum(cal.auc_interval[0], 3)}–${fmtNum(cal.auc_interval[1], 3)})` :
               '') +
          `, Brier ${fmtNum(cal.brier, 3)} (base rate ${fmtNum(cal.brier_base_rate, 3)}).`),
    cal.verdict ? h('p', {class: 'verdict'}, cal.verdict) : null,
    h('div', {class: 'grid-2'},
      h('div', {},
        lineChart(
            'Calibration: predicted against observed win rate',
            [
              {
                label: 'Observed',
                data: rel.map((b) => ({x: Number(b.mean_predicted), y: Number(b.observed_rate)}))
              },
              DIAGONAL
            ],
            {xLabel: 'Predicted probability', yLabel: 'Observed win rate'})),
      h('div', {},
        lineChart(
            `ROC curve${cal.roc ? '' : ' (at the decile edges)'}`,
            [{label: 'ROC', data: roc}, {...DIAGONAL, label: 'Chance'}],
            {xLabel: 'False positive rate', yLabel: 'True positive rate'}))),
    rel.length ?
        h('details', {}, h('summary', {}, 'Calibration numbers'),
          table(
              ['Probability band', 'Leads', 'Mean predicted', 'Observed'],
              rel.map(
                  (b) =>
                      [`${fmtPct(b.low)}–${fmtPct(b.high)}`,
                       {content: fmtNum(b.count, 0), class: 'num'},
                       {content: fmtPct(b.mean_predicted), class: 'num'},
                       {content: fmtPct(b.observed_rate), class: 'num'}]),
              {className: 'compact'})) :
        null,
    h('h3', {}, 'Win rate by score band'),
    barChart(
        'Win rate by score band', bands.map((b) => b.band),
        [{label: 'Win rate', data: bands.map((b) => Number(b.win_rate ?? 0))}], {yMax: 1}),
    table(
        ['Band', 'Scores', 'Leads', 'Wins', 'Win rate', 'Median cycle (days)'],
        bands.map(
            (b) =>
                [b.band, `${fmtNum(b.score_low)}–${fmtNum(b.score_high)}`,
                 {content: fmtNum(b.leads, 0), class: 'num'},
                 {content: fmtNum(b.wins, 0), class: 'num'},
                 {content: fmtPct(b.win_rate), class: 'num'},
                 {content: fmtNum(b.median_cycle_days, 1), class: 'num'}]),
        {className: 'compact'}),
    (cal.notes || []).length ? h('ul', {class: 'notes'}, cal.notes.map((n) => h('li', {}, n))) :
                               null,
  ];
}

function thresholdsSection(th, capacity) {
  const input = h('input', {
    type: 'number',
    name: 'capacity',
    min: 1,
    step: 1,
    value: capacity || th?.capacity_per_week || '',
    inputmode: 'numeric'
  });
  const form =
      h('form', {
        class: 'filters',
        onsubmit: (e) => {
          e.preventDefault();
          location.hash = `#/learning${query({capacity: input.value})}`;
        }
      },
        field('Capacity (leads a week)', input), h('button', {type: 'submit'}, 'Recompute'));
  if (!th) return form;
  const lines = th.lines || [];
  return [
    form,
    h('p', {},
      `Over ${fmtNum(th.weeks, 1)} weeks (${th.window || 'window'}), ${
          fmtNum(th.arrivals, 0)} arrivals, ` +
          `${fmtNum(th.labelled, 0)} with an outcome; chosen line ${
              th.line === null ? 'none' : fmtNum(th.line)}.`),
    table(
        [
          'MQL line (score ≥)', 'Leads a week', 'Expected wins a week', 'Conversion', 'Load',
          'Chosen'
        ],
        lines.map(
            (l) =>
                [{content: fmtNum(l.line), class: 'num'},
                 {content: fmtNum(l.leads_per_week, 1), class: 'num'},
                 {content: fmtNum(l.expected_wins_per_week, 2), class: 'num'},
                 {content: fmtPct(l.conversion), class: 'num'},
                 {content: fmtPct(l.load), class: 'num'},
                 l.chosen ? '✔ chosen' : (l.extrapolated ? 'extrapolated' : '')]),
        {caption: 'Thresholds', className: 'compact'}),
    (th.notes || []).length ? h('ul', {class: 'notes'}, th.notes.map((n) => h('li', {}, n))) : null
  ];
}

export async function show(main, {params}) {
  render(main, h('h1', {}, 'Learning'), loading());
  const capacity = params.get('capacity') || '';
  const [cal, th] = await Promise.allSettled([
    api('GET', '/reports/calibration'),
    api('GET', '/reports/thresholds' + query({capacity})),
  ]);
  render(
      main, h('h1', {}, 'Learning'),
      h('section', {class: 'card', 'aria-labelledby': 'cal-h'},
        h('h2', {id: 'cal-h'}, 'Calibration'),
        cal.status === 'fulfilled' ? calibrationSection(cal.value) : notice(cal.reason.message)),
      h('section', {class: 'card', 'aria-labelledby': 'th-h'}, h('h2', {id: 'th-h'}, 'Thresholds'),
        th.status === 'fulfilled' ?
            thresholdsSection(th.value, capacity) :
            [notice(th.reason.message), thresholdsSection(null, capacity)]));
}
