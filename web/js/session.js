// Who is signed in (GET /api/v1/me) and what that role may do, so pages hide what the role
// cannot do. The server checks every call anyway; this only keeps the screen honest.
//
// Example:
//   import { session, can } from './session.js';
//   if (can('pipeline')) nav.append(link('#/pipeline', 'Pipeline'));
//   session.me  // {name: 'seller-ana', role: 'seller', owner: 'ana'}

export const session = {
  me: null
};

// What each role may use, by the API contract's role column.
const ALLOWED = {
  admin: [
    'pipeline', 'queue', 'queue.any', 'leads', 'lead', 'lead.edit', 'stage', 'answers', 'touches',
    'assign', 'learning', 'export', 'model', 'model.check', 'model.write', 'owners'
  ],
  ops: [
    'pipeline', 'queue', 'queue.any', 'leads', 'lead', 'lead.edit', 'stage', 'answers', 'touches',
    'assign', 'learning', 'export', 'model', 'model.check', 'owners'
  ],
  seller: ['queue', 'leads', 'lead', 'stage', 'answers', 'touches', 'model', 'owners'],
  ingest: [],
};

// True when the signed-in role may do `what` (a page or an action name above).
export function can(what) {
  const role = session.me?.role;
  return !!role && (ALLOWED[role] || []).includes(what);
}

// The page to open after signing in: the seller's queue, the pipeline for everyone else.
export function homeRoute() {
  if (can('pipeline')) return '#/pipeline';
  if (can('queue')) return '#/queue';
  return '#/denied';
}
