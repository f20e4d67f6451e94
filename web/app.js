// The leadq dashboard: sign-in with an API token, hash routing to the pages, and the header
// that shows only what the signed-in role may open.
//
// Example: open http://127.0.0.1:8080/#/lead/L000176 — the app asks for a token when none is in
// this tab's sessionStorage, then shows the lead.

import {api, ApiError, clearToken, getToken, setToken} from './js/api.js';
import {destroyCharts} from './js/charts.js';
import {field, h, notice, render} from './js/dom.js';
import * as exportPage from './js/pages/export.js';
import * as lead from './js/pages/lead.js';
import * as leads from './js/pages/leads.js';
import * as learning from './js/pages/learning.js';
import * as model from './js/pages/model.js';
import * as pipeline from './js/pages/pipeline.js';
import * as queue from './js/pages/queue.js';
import {can, homeRoute, session} from './js/session.js';

const main = document.getElementById('main');
const top = document.getElementById('top');

// route name -> [page module, permission, title]
const ROUTES = {
  pipeline: [pipeline, 'pipeline', 'Pipeline'],
  queue: [queue, 'queue', 'My queue'],
  leads: [leads, 'leads', 'Leads'],
  lead: [lead, 'lead', 'Lead'],
  learning: [learning, 'learning', 'Learning'],
  export: [exportPage, 'export', 'Export'],
  model: [model, 'model', 'Model'],
};

let cleanup = null;
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {name: parts[0] || '', args: parts.slice(1), params: new URLSearchParams(qs || '')};
}

function showSignIn(message) {
  top.hidden = true;
  session.me = null;
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
    placeholder: 'lq_…'
  });
  const status = h('div', {'aria-live': 'polite'}, message ? notice(message) : null);
  const form =
      h('form', {
        class: 'card signin',
        onsubmit: async (e) => {
          e.preventDefault();
          const token = input.value.trim();
          if (!token) return;
          render(status);
          try {
            const me = await api('GET', '/me', undefined, {token});
            setToken(token);
            session.me = me;
            if (!location.hash || location.hash === '#/' || location.hash.startsWith('#/signin')) {
              location.hash = homeRoute();
            }
            route();
          } catch (err) {
            render(
                status,
                notice(
                    err.status === 401 ?
                        'That token was not accepted: check it, or ask an admin for a new one.' :
                        err.message));
            input.focus();
          }
        }
      },
        h('h1', {}, 'Sign in to leadq'),
        field(
            'API token', input,
            'An admin makes tokens with `leadq token create`. It is kept in this tab only.'),
        h('button', {type: 'submit'}, 'Sign in'), status);
  destroyCharts();
  render(main, form);
  input.focus();
}

function renderHeader() {
  top.hidden = false;
  const me = session.me;
  document.getElementById('who').textContent =
      `${me.name} (${me.role}${me.owner ? ', ' + me.owner : ''})`;
  for (const li of document.querySelectorAll('#nav li[data-need]')) {
    li.hidden = !can(li.dataset.need);
  }
  const {name} = parseHash();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#/${name}`)
      a.setAttribute('aria-current', 'page');
    else
      a.removeAttribute('aria-current');
  }
}

async function route() {
  const gen = ++generation;
  if (cleanup) {
    try {
      cleanup();
    } catch { /* a page's timers are gone either way */
    }
    cleanup = null;
  }
  destroyCharts();
  if (!getToken()) {
    showSignIn();
    return;
  }
  if (!session.me) {
    try {
      session.me = await api('GET', '/me');
    } catch (err) {
      if (err.status === 401) {
        clearToken();
        showSignIn('Your token is no longer accepted; sign in again.');
      } else {
        render(main, notice(err.message));
      }
      return;
    }
    if (gen !== generation) return;
  }
  renderHeader();
  const {name, args, params} = parseHash();
  if (!name) {
    location.replace(homeRoute());
    return;
  }
  const entry = ROUTES[name];
  if (!entry) {
    document.title = 'Not found · leadq';
    render(
        main, h('h1', {}, 'Not found'), notice(`There is no page "${name}". Use the menu above.`));
    return;
  }
  const [page, need, title] = entry;
  document.title = `${title} · leadq`;
  if (!can(need)) {
    render(
        main, h('h1', {}, title),
        notice(
            `The ${session.me.role} role may not open this page.` +
            (session.me.role === 'ingest' ? ' Ingest tokens only post events and leads.' : '')));
    return;
  }
  try {
    const result = await page.show(main, {args, params, isCurrent: () => gen === generation});
    if (gen === generation && typeof result === 'function')
      cleanup = result;
    else if (typeof result === 'function')
      result();
  } catch (err) {
    if (gen !== generation) return;
    render(main, h('h1', {}, title), notice(err instanceof ApiError ? err.message : String(err)));
  }
  // After a page change (not the first load, where Tab should reach the skip link first), focus
  // moves to the new content so keyboard and screen reader users start there.
  if (gen === generation && gen > 1 && document.activeElement === document.body) {
    main.focus({preventScroll: true});
  }
}

// The skip link moves focus to the content without touching the hash (the hash is the route).
document.querySelector('.skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

document.getElementById('sign-out').addEventListener('click', () => {
  clearToken();
  session.me = null;
  location.hash = '#/';
  showSignIn();
});

const toggle = document.getElementById('nav-toggle');
toggle.addEventListener('click', () => {
  const open = toggle.getAttribute('aria-expanded') !== 'true';
  toggle.setAttribute('aria-expanded', String(open));
  document.getElementById('nav').classList.toggle('open', open);
});
document.getElementById('nav').addEventListener('click', (e) => {
  if (e.target.closest('a')) {
    toggle.setAttribute('aria-expanded', 'false');
    document.getElementById('nav').classList.remove('open');
  }
});

window.addEventListener('leadq:unauthorized', () => {
  clearToken();
  session.me = null;
  showSignIn('Your token is no longer accepted; sign in again.');
});
// Only "#/..." hashes are routes; an in-page anchor ("#buyer-x") leaves the page as it is.
window.addEventListener('hashchange', () => {
  if (!location.hash || location.hash.startsWith('#/')) route();
});
route();
