// Unit tests of the dashboard's pure functions (node --test, no browser): response clock text,
// problem+json in words, ROC points from decile bands, BANT answers batched by evidence, the
// heat-map scale and the seconds left on a clock.
//
// Example: node --test tests/browser/units.test.mjs

import assert from 'node:assert/strict';
import {test} from 'node:test';

import {describeProblem, itemsOf, query} from '../../web/js/api.js';
import {clockText, fmtMinutes, fmtPct} from '../../web/js/dom.js';
import {answerBatches, assignMessage, displayName, leadExplanation} from '../../web/js/pages/lead.js';
import {rocPoints} from '../../web/js/pages/learning.js';
import {heat} from '../../web/js/pages/pipeline.js';
import {secondsLeft} from '../../web/js/pages/queue.js';

test('response clock counts down and says how late', () => {
  assert.equal(clockText(245), '4:05 left');  // 245 s = 4 min 5 s
  assert.equal(clockText(0), '0:00 left');
  assert.equal(clockText(3720), '1 h 2 min left');     // 3720 s = 62 min
  assert.equal(clockText(-720), 'overdue by 12 min');  // 12 min late
  assert.equal(clockText(-1), 'overdue by 1 min');     // a second late rounds up to a minute
  assert.equal(fmtMinutes(60 * 24 * 2 + 60 * 4), '2 d 4 h');
  // due 10:00:30, now 10:00:00.900 -> 29 whole seconds left
  assert.equal(
      secondsLeft(Date.parse('2026-03-01T10:00:30Z'), Date.parse('2026-03-01T10:00:00.900Z')), 29);
  assert.equal(secondsLeft(null, 0), null);
});

test('problem+json in words, with field errors', () => {
  assert.equal(
      describeProblem(
          404, {title: 'Not found', status: 404, detail: 'lead L9 is not in the workspace'}),
      'Not found: lead L9 is not in the workspace [404]');
  assert.equal(
      describeProblem(422, {
        title: 'Invalid input',
        detail: 'the body has errors',
        errors: [{field: 'to', message: 'is required'}]
      }),
      'Invalid input: the body has errors (to: is required) [422]');
  assert.equal(describeProblem(409, null, ''), 'Refused [409]');
  assert.equal(
      describeProblem(0, null, 'Failed to fetch'),
      'The server could not be reached: Failed to fetch.');
});

test('query strings leave out empty values; lists come bare or in items', () => {
  assert.equal(query({stage: 'mql', cell: '', limit: 50, owner: null}), '?stage=mql&limit=50');
  assert.equal(query({}), '');
  assert.deepEqual(itemsOf([1, 2]), [1, 2]);
  assert.deepEqual(itemsOf({items: [3]}), [3]);
  assert.deepEqual(itemsOf(null), []);
});

test('ROC from decile bands when the report has no roc points', () => {
  // Two bands, highest first: 10 leads/8 wins, then 10 leads/2 wins: 10 wins, 10 losses.
  // After the top band: tp 8/10 = 0.8, fp 2/10 = 0.2; after both: (1, 1).
  const pts = rocPoints({
    deciles: [
      {band: 'D1', score_low: 0, leads: 10, wins: 2},
      {band: 'D2', score_low: 50, leads: 10, wins: 8},
    ]
  });
  assert.deepEqual(pts, [{x: 0, y: 0}, {x: 0.2, y: 0.8}, {x: 1, y: 1}]);
  // The report's own points win, and the curve is closed at both ends.
  assert.deepEqual(
      rocPoints({roc: [{false_positive_rate: 0.1, true_positive_rate: 0.6}]}),
      [{x: 0, y: 0}, {x: 0.1, y: 0.6}, {x: 1, y: 1}]);
  assert.deepEqual(rocPoints({deciles: [{score_low: 0, leads: 5, wins: 5}]}), []);  // no loss
});

test('answers are posted in batches that share evidence and source', () => {
  const batches = answerBatches([
    {criterion: 'budget', value: 'met', evidence: 'call', source: 'ana'},
    {criterion: 'need', value: 'met', evidence: 'call', source: 'ana'},
    {criterion: 'timeline', value: 'partial', evidence: 'email', source: 'ana'},
  ]);
  assert.deepEqual(batches, [
    {answers: {budget: 'met', need: 'met'}, evidence: 'call', source: 'ana'},
    {answers: {timeline: 'partial'}, evidence: 'email', source: 'ana'},
  ]);
});

test('lead helpers', () => {
  assert.equal(displayName({first_name: 'Ana', last_name: 'Silva'}), 'Ana Silva');
  assert.equal(displayName({email: 'a@x.io'}), 'a@x.io');
  assert.deepEqual(leadExplanation({leads: [{lead_id: 'L1'}]}), {lead_id: 'L1'});
  assert.deepEqual(leadExplanation({lead_id: 'L2'}), {lead_id: 'L2'});
  assert.equal(
      assignMessage({owner: 'ana', rule: 'round robin', due_at: '2026-03-01T10:30:00Z'}),
      'Assigned to ana (round robin), due 2026-03-01 10:30 UTC.');
  assert.equal(
      assignMessage({owner: '', assigned: false, why: 'nobody has capacity'}),
      'Not assigned: nobody has capacity');
});

test('heat-map scale and percentages', () => {
  // 0 of 6 -> 97% light (near white); 6 of 6 -> 97 - 55 = 42% (dark, white text).
  assert.deepEqual(heat(0, 6), {background: 'hsl(216 70% 97%)', dark: false});
  assert.deepEqual(heat(6, 6), {background: 'hsl(216 70% 42%)', dark: true});
  // 3 of 6 -> 97 - 27.5 = 69.5, rounded to 70%: not below 70, so a light cell with dark text.
  assert.deepEqual(heat(3, 6), {background: 'hsl(216 70% 70%)', dark: false});
  assert.equal(fmtPct(0.266), '26.6%');
});
