// Small DOM helpers shared by the pages: an element builder, tables, number and time formats,
// and the status line that shows errors in words.
//
// Example:
//   import { h, table, fmtNum } from './dom.js';
//   main.append(h('h1', {}, 'Pipeline'),
//               table(['Stage', 'Leads'], rows.map((r) => [r.stage, fmtNum(r.count)])));

// h('a', {href: '#/lead/L1', class: 'x', onclick: fn}, 'text', child, [more]) -> Element.
// Attributes starting with "on" are listeners; `false`/null/undefined attributes are left out;
// children may be strings, numbers, nodes, arrays or null.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'class') {
      el.className = v;
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k === 'value' && 'value' in el) {
      el.value = v;
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c))
      append(el, c);
    else if (c instanceof Node)
      el.append(c);
    else
      el.append(document.createTextNode(String(c)));
  }
}

// A table with a caption (optional), a header row and body rows of cells (strings or nodes).
// A cell may be {content, class, header} to style it or make it a row header.
export function table(headers, rows, {caption, className} = {}) {
  return h(
      'div', {class: 'table-wrap'},
      h('table', {class: className || ''}, caption ? h('caption', {}, caption) : null,
        h('thead', {}, h('tr', {}, headers.map((x) => h('th', {scope: 'col'}, x)))),
        h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => cell(c)))))));
}

function cell(c) {
  if (c && typeof c === 'object' && !(c instanceof Node) && !Array.isArray(c)) {
    return h(
        c.header ? 'th' : 'td',
        {class: c.class || '', scope: c.header ? 'row' : null, style: c.style || null}, c.content);
  }
  return h('td', {}, c);
}

// 1234.5 -> "1,234.5"; null -> "–". Two decimals at most.
export function fmtNum(x, digits = 2) {
  if (x === null || x === undefined || x === '' || Number.isNaN(Number(x))) return '–';
  return Number(x).toLocaleString('en-US', {maximumFractionDigits: digits});
}

// 0.266 -> "26.6%".
export function fmtPct(x) {
  if (x === null || x === undefined || Number.isNaN(Number(x))) return '–';
  return `${(Number(x) * 100).toFixed(1)}%`;
}

// ISO time -> "2026-03-01 09:30 UTC"; empty -> "–".
export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

// Minutes -> "12 min", "3 h 5 min", "2 d 4 h".
export function fmtMinutes(total) {
  const m = Math.max(0, Math.round(total));
  if (m < 60) return `${m} min`;
  const hrs = Math.floor(m / 60);
  if (hrs < 24) return `${hrs} h ${m % 60} min`;
  return `${Math.floor(hrs / 24)} d ${hrs % 24} h`;
}

// Seconds left on a response clock -> "4:05 left", "1 h 2 min left" or "overdue by 12 min".
export function clockText(secondsLeft) {
  if (secondsLeft < 0) return `overdue by ${fmtMinutes(Math.ceil(-secondsLeft / 60))}`;
  if (secondsLeft < 3600) {
    const m = Math.floor(secondsLeft / 60);
    const s = Math.floor(secondsLeft % 60);
    return `${m}:${String(s).padStart(2, '0')} left`;
  }
  return `${fmtMinutes(secondsLeft / 60)} left`;
}

// A verdict or state as a coloured pill: met/partial/unmet/unknown/failed/overdue...
export function pill(text, kind) {
  return h('span', {class: `pill pill-${kind || text}`}, text);
}

// A message box: kind "error" (role=alert) or "info" (role=status).
export function notice(text, kind = 'error') {
  return h(
      'div', {class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status'}, text);
}

// Replaces the content of `el` with the children.
export function render(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// A link to a lead's page.
export function leadLink(id, text) {
  return h('a', {href: `#/lead/${encodeURIComponent(id)}`}, text || id);
}

// A labelled form control: label + control + optional hint, ids wired for screen readers.
let uid = 0;
export function field(labelText, control, hint) {
  if (!control.id) control.id = `f${++uid}`;
  const hintEl = hint ? h('small', {class: 'hint', id: `${control.id}-hint`}, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', {class: 'field'}, h('label', { for: control.id
           }, labelText), control, hintEl);
}

// <select> from [value, label] pairs (or plain strings) with `selected` chosen.
export function select(options, selected, attrs = {}) {
  return h('select', attrs, options.map((o) => {
    const [value, label] = Array.isArray(o) ? o : [o, o];
    return h('option', {value, selected: String(value) === String(selected ?? '')}, label);
  }));
}

// A loading placeholder announced to screen readers.
export function loading(what = 'Loading') {
  return h('p', {class: 'loading', role: 'status'}, `${what}…`);
}
