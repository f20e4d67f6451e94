// The lead page (#/lead/L123): profile fields, the score breakdown (fit rules, intent events
// with dates, age and decayed points, negatives), the framework checklists a seller fills in
// (POST answers), stage moves (one button per entry of "moves", a reason select when the move
// needs one, disabled with the gate's text when blocked), touches and the history of transitions.
//
// Example: location.hash = '#/lead/L000176'.

import {api, itemsOf} from '../api.js';
import {field, fmtNum, fmtTime, h, loading, notice, pill, render, select, table} from '../dom.js';
import {can} from '../session.js';

export const ANSWER_VALUES = ['met', 'partial', 'unmet', 'unknown'];
const TOUCH_CHANNELS = ['call', 'email', 'linkedin', 'meeting'];

// The explain object of one lead, whether the server gives the per-lead object or the whole
// `leadq explain --json` document ({leads:[...]}).
export function leadExplanation(explain) {
  if (!explain) return null;
  if (Array.isArray(explain.leads)) return explain.leads[0] || null;
  return explain;
}

// A display name from the lead's fields: name, or first + last name, or email.
export function displayName(fields) {
  const f = fields || {};
  const full = f.name || [f.first_name, f.last_name].filter(Boolean).join(' ');
  return full || f.email || '';
}

// Groups changed criteria by (evidence, source) so each POST carries the evidence that belongs
// to its answers: [{answers:{budget:'met'}, evidence, source}, ...].
export function answerBatches(rows) {
  const groups = new Map();
  for (const r of rows) {
    const key = JSON.stringify([r.evidence, r.source]);
    if (!groups.has(key)) groups.set(key, {answers: {}, evidence: r.evidence, source: r.source});
    groups.get(key).answers[r.criterion] = r.value;
  }
  return [...groups.values()];
}

function kv(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('p', {class: 'muted'}, 'No fields.');
  return h(
      'dl', {class: 'kv'},
      entries.map(
          ([k, v]) =>
              [h('dt', {}, k),
               h('dd', {},
                 v === null || v === ''    ? '–' :
                     typeof v === 'object' ? JSON.stringify(v) :
                                             String(v))]));
}

function scoreSection(detail) {
  const s = detail.score;
  const ex = leadExplanation(detail.explanation);
  const e = ex?.explanation;
  if (!s && !ex) return h('p', {}, 'Not scored yet.');
  const top = s || ex;
  const parts = [
    h('div', {class: 'score-cards'},
      [['Score', top.score], ['Fit', top.fit], ['Intent', top.intent], ['Negative', top.negative]]
          .map(
              ([k, v]) =>
                  h('div', {class: 'stat'}, h('span', {class: 'stat-label'}, k),
                    h('span', {class: 'stat-value'}, fmtNum(v))))),
    h('p', {},
      `Cell ${top.cell || '–'} (fit ${top.fit_grade || '–'}, intent ${
          top.intent_grade || '–'}); action `,
      h('strong', {}, top.action || '–'), e?.action?.why ? ` — ${e.action.why}` : '',
      top.reason ? ` (${top.reason})` : '',
      top.model_version ? `; model v${top.model_version}` : '',
      top.as_of ? `; as of ${fmtTime(top.as_of)}` : ''),
  ];
  if (!e) return parts;
  const fitRules = e.fit?.rules || [];
  parts.push(
      h('h3', {}, `Fit: ${fmtNum(e.fit?.sum)} of ${fmtNum(e.fit?.max)}`),
      fitRules.length ? table(
                            ['Rule', 'Points', 'Because'],
                            fitRules.map(
                                (r) =>
                                    [r.name, {content: `+${fmtNum(r.points)}`, class: 'num'},
                                     Object.entries(r.fields || {})
                                         .map(([k, v]) => `${k} = ${v ?? '(empty)'}`)
                                         .join('; ')]),
                            {className: 'compact'}) :
                        h('p', {class: 'muted'}, 'No fit rule matched.'));
  const entries = e.intent?.entries || [];
  parts.push(
      h('h3', {}, `Intent: ${fmtNum(e.intent?.sum)} (counts up to ${fmtNum(e.intent?.max)})`));
  if (!entries.length) parts.push(h('p', {class: 'muted'}, 'No intent events counted.'));
  for (const en of entries) {
    const capped = en.cap !== undefined && Number(en.sum) > Number(en.counted);
    parts.push(
        h('h4', {}, `${en.label}: ${fmtNum(en.counted)} points`,
          capped ? ` (capped at ${fmtNum(en.cap)} from ${fmtNum(en.sum)})` : ''),
        table(
            ['Event', 'When', 'Age (days)', 'Base points', 'Half-life (days)', 'Decayed points'],
            (en.events || [])
                .map(
                    (ev) =>
                        [ev.type || en.type, fmtTime(ev.occurred_at),
                         {content: fmtNum(ev.age_days), class: 'num'},
                         {content: fmtNum(ev.base_points), class: 'num'},
                         {content: fmtNum(ev.half_life_days), class: 'num'},
                         {content: fmtNum(ev.points), class: 'num'}]),
            {className: 'compact'}));
  }
  const ignored = e.intent?.ignored || [];
  if (ignored.length) {
    parts.push(
        h('details', {}, h('summary', {}, `${ignored.length} events not counted`),
          h('ul', {},
            ignored.map((ev) => h('li', {}, `${ev.type} ${fmtTime(ev.occurred_at)}: ${ev.why}`)))));
  }
  const negatives = e.negative || [];
  parts.push(
      h('h3', {}, `Negative: ${fmtNum(top.negative)}`),
      negatives.length ?
          table(
              ['Signal', 'Points', 'Event'],
              negatives.map(
                  (n) =>
                      [n.name, {content: fmtNum(n.points), class: 'num'},
                       n.event ? `${n.event.type} ${fmtTime(n.event.occurred_at)}` : '–']),
              {className: 'compact'}) :
          h('p', {class: 'muted'}, 'No negative signal.'));
  return parts;
}

function frameworkForm(fw, leadId, reload, status) {
  const canAnswer = can('answers');
  const rows = (fw.criteria || []).map((c) => {
    const name = c.name || c.criterion;
    const sel = select(
        ANSWER_VALUES, c.value || 'unknown',
        {name: `${fw.framework}.${c.criterion}`, disabled: !canAnswer});
    const ev = h('input', {
      type: 'text',
      name: `${fw.framework}.${c.criterion}.evidence`,
      value: c.evidence || '',
      disabled: !canAnswer,
      autocomplete: 'off'
    });
    const src = h('input', {
      type: 'text',
      name: `${fw.framework}.${c.criterion}.source`,
      value: c.source || '',
      disabled: !canAnswer,
      autocomplete: 'off',
      size: 12
    });
    const meta = [
      c.author ? `by ${c.author}` : '', c.at ? fmtTime(c.at) : '',
      c.expires_at ? `expires ${fmtTime(c.expires_at)}` : ''
    ].filter(Boolean).join(', ');
    return {
      c,
      sel,
      ev,
      src,
      el:
          h('fieldset',
            {class: `criterion${c.expired ? ' expired' : ''}`, dataset: {criterion: c.criterion}},
            h('legend', {}, name, ' ', pill(c.expired ? 'expired' : (c.value || 'unknown'))),
            c.description ? h('p', {class: 'hint'}, c.description) : null,
            h('div', {class: 'criterion-fields'}, field('Answer', sel), field('Evidence', ev),
              field('Source', src)),
            meta ? h('p', {class: 'muted small'}, meta) : null),
    };
  });
  const expires =
      h('input', {type: 'date', name: `${fw.framework}.expires_at`, disabled: !canAnswer});
  const form = h(
      'form', {
        class: 'framework',
        dataset: {framework: fw.framework},
        onsubmit: async (e) => {
          e.preventDefault();
          const changed = rows.filter(
                                  (r) => r.sel.value !== (r.c.value || 'unknown') ||
                                      r.ev.value.trim() !== (r.c.evidence || '') ||
                                      r.src.value.trim() !== (r.c.source || ''))
                              .map((r) => ({
                                     criterion: r.c.criterion,
                                     value: r.sel.value,
                                     evidence: r.ev.value.trim(),
                                     source: r.src.value.trim()
                                   }));
          if (!changed.length) {
            render(status, notice('Nothing changed in this checklist.', 'info'));
            return;
          }
          const button = form.querySelector('button[type=submit]');
          button.disabled = true;
          try {
            for (const b of answerBatches(changed)) {
              const body = {
                framework: fw.framework,
                answers: b.answers,
                evidence: b.evidence,
                source: b.source
              };
              if (expires.value) body.expires_at = `${expires.value}T00:00:00Z`;
              await api('POST', `/leads/${encodeURIComponent(leadId)}/answers`, body);
            }
            await reload(`Saved ${changed.length} answer${changed.length > 1 ? 's' : ''} to ${
                fw.name || fw.framework}.`);
          } catch (err) {
            button.disabled = false;
            render(status, notice(err.message));
          }
        }
      },
      h('h3', {}, `${fw.name || fw.framework}: ${fw.met ?? 0} of ${fw.total ?? rows.length} met`,
        fw.required ? ' ' : '', fw.required ? pill('required for the next stage', 'required') : ''),
      rows.map((r) => r.el),
      canAnswer ? h('div', {class: 'row'}, field('Answers expire on (optional)', expires),
                    h('button', {type: 'submit'}, `Save ${fw.name || fw.framework} answers`)) :
                  null);
  return form;
}

function movesSection(detail, leadId, reload, status) {
  const moves = detail.moves || [];
  if (!can('stage')) return null;
  if (!moves.length) return h('p', {class: 'muted'}, 'No move from this stage.');
  const note = h('input', {type: 'text', name: 'note', autocomplete: 'off'});
  const until = h('input', {type: 'date', name: 'until'});
  const buttons = moves.map((m) => {
    const reasons = m.reasons || [];
    const reasonSel = m.needs_reason ?
        select(
            [['', 'Choose a reason…'], ...reasons], '',
            {name: `reason-${m.to}`, required: true, disabled: !m.allowed}) :
        null;
    const whyId = `blocked-${m.to}`;
    const button =
        h('button', {
          type: 'button',
          class: m.allowed ? '' : 'blocked',
          disabled: !m.allowed,
          dataset: {move: m.to},
          'aria-describedby': m.blocked_by ? whyId : null,
          onclick: async () => {
            if (reasonSel && !reasonSel.value) {
              render(status, notice(`Choose a reason to move to ${m.to}.`));
              reasonSel.focus();
              return;
            }
            const body = {to: m.to};
            if (reasonSel) body.reason = reasonSel.value;
            if (note.value.trim()) body.note = note.value.trim();
            if (until.value) body.until = `${until.value}T00:00:00Z`;
            button.disabled = true;
            try {
              const r = await api('POST', `/leads/${encodeURIComponent(leadId)}/stage`, body);
              const t = r?.transition;
              await reload(t ? `Moved from ${t.from} to ${t.to}.` : `Moved to ${m.to}.`);
            } catch (err) {
              button.disabled = false;
              render(status, notice(err.message));
            }
          }
        },
          `Move to ${m.to}`);
    return h(
        'div', {class: 'move'}, reasonSel ? field(`Reason for ${m.to}`, reasonSel) : null, button,
        m.blocked_by ? h('p', {class: 'blocked-by', id: whyId}, `Blocked: ${m.blocked_by}`) : null);
  });
  return [
    h('div', {class: 'moves'}, buttons),
    h('div', {class: 'row'}, field('Note (optional)', note),
      field('Until (nurture, recycle; optional)', until))
  ];
}

function historyTable(history) {
  if (!history?.length) return h('p', {class: 'muted'}, 'No transition yet.');
  return table(
      ['#', 'When', 'From', 'To', 'By', 'Reason', 'Note', 'Model', 'Score'],
      history.map(
          (t) =>
              [{content: t.seq, class: 'num'}, fmtTime(t.at), t.from || '–', pill(t.to, 'stage'),
               t.actor || '–', t.reason || '–', t.note || '–',
               t.model_version ? `v${t.model_version}` : '–',
               t.scores ? fmtNum(t.scores.score) : '–']),
      {caption: 'Stage history', className: 'history'});
}

function touchesSection(detail, leadId, reload, status) {
  const touches = detail.touches || [];
  const list = touches.length ?
      table(
          ['When', 'Kind', 'By', 'Note'],
          touches.map((t) => [fmtTime(t.at), t.kind || t.channel, t.by || '–', t.note || '–']),
          {className: 'compact'}) :
      h('p', {class: 'muted'}, 'No contact recorded.');
  if (!can('touches')) return list;
  const kind = select(TOUCH_CHANNELS, 'call', {name: 'kind'});
  const note = h('input', {type: 'text', name: 'touch-note', autocomplete: 'off'});
  const form =
      h('form', {
        class: 'row',
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            const r = await api(
                'POST', `/leads/${encodeURIComponent(leadId)}/touches`,
                {kind: kind.value, channel: kind.value, note: note.value.trim() || undefined});
            await reload(r?.message || 'Touch recorded.');
          } catch (err) {
            render(status, notice(err.message));
          }
        }
      },
        field('Kind', kind), field('Note', note), h('button', {type: 'submit'}, 'Record touch'));
  return [list, form];
}

// "Assigned to ana (round robin), due 2026-03-01 10:30 UTC." or "Not assigned: <why>".
export function assignMessage(r) {
  if (!r || !r.owner) return 'Not assigned' + (r && r.why ? ': ' + r.why : '.');
  let text = 'Assigned to ' + r.owner;
  if (r.rule) text += ' (' + r.rule + ')';
  if (r.due_at) text += ', due ' + fmtTime(r.due_at);
  return text + '.';
}

// Admin and ops assign the lead: to a chosen owner, or by the model's rules when none is chosen.
function assignForm(leadId, owners, current, reload, status) {
  if (!can('assign')) return null;
  const to = select(
      [['', 'By the model\'s rules'], ...owners.map((o) => [o.owner_id, o.name || o.owner_id])], '',
      {name: 'assign-to'});
  return h(
      'form', {
        class: 'row',
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            const body = to.value ? {to: to.value} : {};
            const r = await api('POST', `/leads/${encodeURIComponent(leadId)}/assign`, body);
            await reload(assignMessage(r));
          } catch (err) {
            render(status, notice(err.message));
          }
        }
      },
      field(current ? 'Reassign to' : 'Assign to', to), h('button', {type: 'submit'}, 'Assign'));
}

function handoffSection(handoff) {
  if (!handoff) return h('p', {class: 'muted'}, 'No open handoff.');
  const scalars =
      Object.fromEntries(Object.entries(handoff)
                             .filter(([, v]) => v === null || typeof v !== 'object')
                             .map(([k, v]) => [k, /_at$|^at$/.test(k) && v ? fmtTime(v) : v]));
  return kv(scalars);
}

export async function show(main, {args, isCurrent}) {
  const leadId = args[0];
  if (!leadId) {
    render(main, h('h1', {}, 'Lead'), notice('Which lead? Open one from a list.', 'info'));
    return;
  }
  render(main, h('h1', {}, `Lead ${leadId}`), loading());
  const status = h('div', {class: 'status-line', 'aria-live': 'polite'});

  let owners = [];
  if (can('assign')) {
    try {
      owners = itemsOf(await api('GET', '/owners'));
    } catch {
      owners = [];  // the form still assigns by the rules
    }
  }
  const draw = async (message) => {
    const d = await api('GET', `/leads/${encodeURIComponent(leadId)}`);
    if (!isCurrent()) return;
    const stage = d.stage || {};
    const name = displayName(d.fields);
    const reload = async (msg) => draw(msg);
    render(
        main,
        h('h1', {}, `Lead ${d.lead_id}`,
          name ? h('span', {class: 'subtitle'}, ` · ${name}`) : null),
        h('p', {class: 'lead-meta'}, 'Stage ', pill(stage.stage || '–', 'stage'),
          stage.since ? ` since ${fmtTime(stage.since)}` : '',
          stage.recycle_count ? `, recycled ${stage.recycle_count}×` : '',
          stage.recycle_until ? ` until ${fmtTime(stage.recycle_until)}` : '',
          ` · owner ${d.owner || 'none'} · created ${fmtTime(d.created_at)}`),
        status,
        h('div', {class: 'grid-2'},
          h('section', {class: 'card', 'aria-labelledby': 'profile-h'},
            h('h2', {id: 'profile-h'}, 'Profile'), kv(d.fields),
            d.account ? [h('h3', {}, `Account ${d.account.account_id}`), kv(d.account.fields)] :
                        null),
          h('section', {class: 'card', 'aria-labelledby': 'stage-h'},
            h('h2', {id: 'stage-h'}, 'Stage actions'), movesSection(d, leadId, reload, status),
            h('h3', {}, 'Handoff'), handoffSection(d.handoff),
            assignForm(leadId, owners, d.owner, reload, status))),
        h('section', {class: 'card', 'aria-labelledby': 'score-h'},
          h('h2', {id: 'score-h'}, 'Score breakdown'), scoreSection(d)),
        h('section', {class: 'card', 'aria-labelledby': 'fw-h'},
          h('h2', {id: 'fw-h'}, 'Qualification'),
          (d.frameworks || []).length ?
              d.frameworks.map((fw) => frameworkForm(fw, leadId, reload, status)) :
              h('p', {class: 'muted'}, 'The model has no framework.')),
        h('section', {class: 'card', 'aria-labelledby': 'touch-h'},
          h('h2', {id: 'touch-h'}, 'Touches'), touchesSection(d, leadId, reload, status)),
        h('section', {class: 'card', 'aria-labelledby': 'hist-h'},
          h('h2', {id: 'hist-h'}, 'History'), historyTable(d.history)));
    if (message) render(status, notice(message, 'info'));
  };
  await draw();
}
