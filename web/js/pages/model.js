// The model page (#/model, #/model?from=1&to=2&show=2): the active version, the history table,
// the diff between two chosen versions and the TOML of one version. Admins may also roll back
// to a version (POST /api/v1/models/{v}/rollback). Ops and admins may try a change: edit the
// TOML, check it (POST /models/check: the summary, or every error with its line and column) and
// backtest it against history (POST /models/backtest); admins may then apply it (POST /models).
//
// Example: location.hash = '#/model?from=1&to=3'.

import {api, query} from '../api.js';
import {field, fmtTime, h, loading, notice, pill, render, select, table} from '../dom.js';
import {can} from '../session.js';

export async function show(main, {params}) {
  render(main, h('h1', {}, 'Model'), loading());
  const history = await api('GET', '/models');
  const versions =
      [...(history.versions || [])].sort((a, b) => Number(a.version) - Number(b.version));
  const active = history.active;
  if (!versions.length) {
    render(main, h('h1', {}, 'Model'), notice('No model applied yet (leadq model apply).', 'info'));
    return;
  }
  const latest = versions[versions.length - 1].version;
  const shown = params.get('show') || active || latest;
  const to = params.get('to') || active || latest;
  const from = params.get('from') ||
      (versions.length > 1 ?
           versions[Math.max(0, versions.findIndex((v) => String(v.version) === String(to)) - 1)]
               .version :
           to);
  const status = h('div', {'aria-live': 'polite'});

  const [model, diff] = await Promise.allSettled([
    api('GET', `/models/${encodeURIComponent(shown)}`),
    String(from) !== String(to) ? api('GET', '/models/diff' + query({from, to})) :
                                  Promise.resolve(null),
  ]);

  const opts = versions.map(
      (v) =>
          [v.version, `v${v.version}${String(v.version) === String(active) ? ' (active)' : ''}`]);
  const fromSel = select(opts, from, {name: 'from'});
  const toSel = select(opts, to, {name: 'to'});
  const rollback = (v) =>
      h('button', {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          if (!window.confirm(`Roll the active model back to v${v}? Leads are rescored with it.`))
            return;
          try {
            const r = await api('POST', `/models/${encodeURIComponent(v)}/rollback`);
            render(
                status,
                notice(
                    `Rolled back: now v${r.version}. ${(r.changes || []).length} changes.`,
                    'info'));
            location.hash = '#/model';
          } catch (err) {
            render(status, notice(err.message));
          }
        }
      },
        `Roll back to v${v}`);

  render(
      main, h('h1', {}, 'Model'),
      h('p', {}, 'Active version ', h('strong', {}, active ? `v${active}` : 'none')), status,
      h('section', {class: 'card', 'aria-labelledby': 'mh-h'}, h('h2', {id: 'mh-h'}, 'History'),
        table(
            ['Version', 'When', 'Author', 'Message', 'Hash', ''],
            [...versions].reverse().map(
                (v) =>
                    [String(v.version) === String(active) ? [`v${v.version} `, pill('active')] :
                                                            `v${v.version}`,
                     fmtTime(v.created_at),
                     v.author || '–',
                     v.message || '–',
                     h('code', {}, String(v.hash || '').slice(0, 12)),
                     [
                       h('a', {href: `#/model${query({show: v.version, from, to})}`}, `Show TOML`),
                       can('model.write') && String(v.version) !== String(active) ?
                           [' ', rollback(v.version)] :
                           null
                     ],
  ]),
            {className: 'compact'})),
      h('section', {class: 'card', 'aria-labelledby': 'md-h'}, h('h2', {id: 'md-h'}, 'Diff'),
        h('form', {
          class: 'filters',
          onsubmit: (e) => {
            e.preventDefault();
            location.hash = `#/model${query({from: fromSel.value, to: toSel.value, show: shown})}`;
          }
        },
          field('From', fromSel), field('To', toSel), h('button', {type: 'submit'}, 'Compare')),
        diff.status === 'rejected' ? notice(diff.reason.message) :
            !diff.value            ? h('p', {class: 'muted'}, 'Choose two different versions.') :
            (diff.value.changes || []).length ?
                          h('ul', {class: 'changes'},
                            diff.value.changes.map((c) => h('li', {}, c))) :
                          h('p', {}, `v${from} and v${to} score the same way.`)),
      can('model.check') && model.status === 'fulfilled' ? tryChange(model.value.content || '') :
                                                           null,
      h('section', {class: 'card', 'aria-labelledby': 'mt-h'},
        h('h2', {id: 'mt-h'}, `TOML of v${shown}`),
        model.status === 'rejected' ?
            notice(model.reason.message) :
            h('pre', {class: 'toml', tabindex: 0, 'aria-label': `Model v${shown} as TOML`},
              h('code', {}, model.value.content || ''))));
}

// The "Try a change" card: a TOML editor with Check, Backtest and (admins) Apply.
function tryChange(content) {
  const editor = h('textarea', {
    id: 'try-toml',
    class: 'toml',
    rows: 16,
    spellcheck: 'false',
    'aria-describedby': 'try-hint',
  });
  editor.value = content;
  const message =
      h('input', {id: 'try-message', type: 'text', placeholder: 'Why (required to apply)'});
  const out = h('div', {'aria-live': 'polite', id: 'try-out'});
  const run = (label, fn) =>
      h('button', {
        type: 'button',
        class: label === 'Check' ? '' : 'secondary',
        onclick: async () => {
          render(out, loading(label));
          try {
            await fn();
          } catch (err) {
            const errors = err.fieldErrors || [];
            render(
                out, notice(err.message.split(' (')[0]),
                errors.length ? h('ul', {class: 'changes'},
                                  errors.map((e) => h('li', {}, h('code', {}, e.message)))) :
                                null);
          }
        }
      },
        label);
  const check = run('Check', async () => {
    const r = await api('POST', '/models/check', {content: editor.value});
    render(
        out, notice('Valid.', 'info'),
        h('pre', {class: 'toml', tabindex: 0}, h('code', {}, r.summary)));
  });
  const backtest = run('Backtest', async () => {
    const r = await api('POST', '/models/backtest', {content: editor.value});
    render(
        out,
        h('pre', {class: 'toml', tabindex: 0, 'aria-label': 'Backtest'}, h('code', {}, r.text)));
  });
  const apply = can('model.write') ? run('Apply', async () => {
    if (!message.value.trim()) {
      render(out, notice('Say why in the message field before applying.'));
      return;
    }
    const r = await api('POST', '/models', {content: editor.value, message: message.value.trim()});
    render(
        out,
        notice(
            r.unchanged ? 'The same as the active version: nothing applied.' :
                          `Applied as v${r.version}. ${(r.changes || []).length} changes.`,
            'info'));
  }) : null;
  return h(
      'section', {class: 'card', 'aria-labelledby': 'try-h'},
      h('h2', {id: 'try-h'}, 'Try a change'),
      h('p', {id: 'try-hint', class: 'muted'},
        'Edit the model, check it, and backtest it against history before it ships. ' +
            'Files it names (lists, tariffs) are the active version\'s.'),
      field('Model (TOML)', editor), can('model.write') ? field('Message', message) : null,
      h('div', {class: 'actions'}, check, ' ', backtest, apply ? [' ', apply] : null), out);
}
