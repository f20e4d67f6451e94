// The dashboard's only door to the server: fetch() against /api/v1 with the signed-in token,
// and problem+json errors turned into an ApiError whose message is a sentence a person can read.
//
// Example:
//   import { api, setToken } from './api.js';
//   setToken('lq_...');
//   const me = await api('GET', '/me');           // {name, role, owner}
//   try { await api('POST', '/leads/L1/stage', { to: 'sql' }); }
//   catch (e) { show(e.message); }                // "Refused: the BANT gate is not met (409)"

const TOKEN_KEY = 'leadq.token';
export const API_BASE = '/api/v1';

// The token lives in sessionStorage: it survives a reload of this tab, never another tab.
export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}
export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}
export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

// An answer that is not 2xx. `status` is the HTTP status (0 when the server was not reached),
// `problem` the parsed problem+json (or null), `fieldErrors` its `errors` array.
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super(describeProblem(status, problem, fallback));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.fieldErrors = (problem && Array.isArray(problem.errors)) ? problem.errors : [];
  }
}

const TITLES = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Refused',
  413: 'Too large',
  422: 'Invalid input',
  500: 'Server error',
};

// "Refused: lead L1 cannot move to sql: BANT 2 of 4 met (409)"; field errors follow as
// "to: is required; reason: ...".
export function describeProblem(status, problem, fallback) {
  if (status === 0) return `The server could not be reached${fallback ? ': ' + fallback : ''}.`;
  const title = (problem && problem.title) || TITLES[status] || `HTTP ${status}`;
  let text = title;
  const detail = (problem && problem.detail) || fallback;
  if (detail && detail !== title) text += `: ${detail}`;
  const errors = problem && Array.isArray(problem.errors) ? problem.errors : [];
  if (errors.length) {
    text += ' (' + errors.map((e) => `${e.field}: ${e.message}`).join('; ') + ')';
  }
  return `${text} [${status}]`;
}

// Query string from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Calls METHOD /api/v1<path> with a JSON body (when given) and the bearer token; resolves to
// the parsed JSON (or null for 204), rejects with ApiError. A 401 with the stored token also
// fires `leadq:unauthorized` on window so the app can go back to the sign-in form.
export async function api(method, path, body, {token} = {}) {
  const headers = {Accept: 'application/json'};
  const t = token ?? getToken();
  if (t) headers.Authorization = `Bearer ${t}`;
  const init = {method, headers};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API_BASE + path, init);
  } catch (e) {
    throw new ApiError(0, null, e.message);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && token === undefined)
      window.dispatchEvent(new CustomEvent('leadq:unauthorized'));
    throw new ApiError(res.status, data, data ? '' : text.slice(0, 200));
  }
  return data;
}

// A list answer may be a bare array or {items:[...]}; this gives the array either way.
export function itemsOf(answer) {
  if (Array.isArray(answer)) return answer;
  if (answer && Array.isArray(answer.items)) return answer.items;
  return [];
}
