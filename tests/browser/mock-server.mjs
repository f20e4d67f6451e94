// A stand-in for `leadq serve` that follows the API contract (issue 7) with in-memory data, so
// the dashboard and its browser test can run without the C++ server. Serves web/ at / and
// web/node_modules/chart.js/dist/ at /vendor/chart.js/, like the real server.
//
// Example:
//   node tests/browser/mock-server.mjs 8099 &   # prints "mock leadq on http://127.0.0.1:8099"
//   LEADQ_URL=http://127.0.0.1:8099 LEADQ_TOKEN=lq_admin LEADQ_SELLER_TOKEN=lq_seller_ana \
//   LEADQ_LEAD=L0007 LEADQ_ARTIFACTS=/tmp/shots node tests/browser/dashboard.test.mjs

import {readFile} from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.join(here, '..', '..', 'web');
const NOW = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const TOKENS = {
  lq_admin: {name: 'admin', role: 'admin', owner: ''},
  lq_ops: {name: 'ops', role: 'ops', owner: ''},
  lq_seller_ana: {name: 'seller-ana', role: 'seller', owner: 'ana'},
  lq_ingest: {name: 'feed', role: 'ingest', owner: ''},
};
const OWNERS = [
  {owner_id: 'ana', name: 'Ana Silva', email: 'ana@example.com', role: 'seller', open: 3},
  {owner_id: 'ben', name: 'Ben Okoro', email: 'ben@example.com', role: 'seller', open: 1},
];
const STAGES = [
  'new', 'mql', 'accepted', 'sql', 'opportunity', 'won', 'lost', 'nurture', 'disqualified',
  'recycled'
];
const BANT =
    [['budget', 'Budget'], ['authority', 'Authority'], ['need', 'Need'], ['timeline', 'Timeline']];

const leads = [];
for (let i = 1; i <= 60; i++) {
  const id = `L${String(i).padStart(4, '0')}`;
  const fit = (i * 37) % 100;
  const intent = (i * 53) % 100;
  const stage = i === 7 ? 'accepted' : STAGES[i % 5];
  const owner = i === 7 || i % 9 === 0 ? 'ana' :
      stage === 'mql' && i % 2         ? '' :
      stage === 'new'                  ? '' :
                                         'ben';
  leads.push({
    lead_id: id,
    account_id: `A${i % 12}`,
    name: `Person ${i}`,
    email: `p${i}@example.com`,
    title: i % 3 ? 'Head of Engineering' : 'CTO',
    stage,
    owner,
    created_at: new Date(Date.now() - i * 86400000).toISOString().replace(/\.\d+Z$/, 'Z'),
    due_at: owner ? new Date(Date.now() + (i % 4 - 1) * 600000).toISOString() : null,
    score: {
      fit,
      intent,
      negative: 0,
      score: Math.round((0.6 * fit + 0.4 * intent) * 100) / 100,
      fit_grade: 'ABCD'[Math.floor(fit / 25)],
      intent_grade: String(1 + Math.floor(intent / 34)),
      cell: 'ABCD'[Math.floor(fit / 25)] + String(1 + Math.floor(intent / 34)),
      action: stage === 'new' ? 'nurture' : 'mql',
      reason: '',
      channel: null,
      as_of: NOW(),
      model_version: 2
    },
    answers: Object.fromEntries(BANT.map(([c]) => [c, {value: c === 'need' ? 'met' : 'unknown'}])),
    history: [],
    touches: [],
  });
}

function summary(l) {
  const {answers, history, touches, due_at, ...s} = l;
  return s;
}
function bant(l) {
  const criteria = BANT.map(([c, name]) => ({
                              criterion: c,
                              name,
                              description: `Is the ${c} known?`,
                              value: l.answers[c].value,
                              evidence: l.answers[c].evidence || '',
                              source: l.answers[c].source || '',
                              author: l.answers[c].author || '',
                              at: l.answers[c].at || null,
                              expires_at: null,
                              expired: false
                            }));
  return {
    framework: 'bant',
    name: 'BANT',
    met: criteria.filter((c) => c.value === 'met').length,
    total: 4,
    required: true,
    criteria
  };
}
function moves(l) {
  const fw = bant(l);
  const out = [];
  if (l.stage === 'accepted') {
    out.push({
      to: 'sql',
      allowed: fw.met === 4,
      needs_reason: false,
      reasons: [],
      blocked_by: fw.met === 4 ? null : `BANT: ${fw.met} of 4 met; sql needs all four`
    });
  }
  if (['mql', 'accepted'].includes(l.stage))
    out.push({
      to: 'accepted',
      allowed: l.stage === 'mql',
      needs_reason: false,
      reasons: [],
      blocked_by: l.stage === 'mql' ? null : 'already accepted'
    });
  out.push({
    to: 'nurture',
    allowed: true,
    needs_reason: true,
    reasons: ['no_budget', 'timing', 'no_response'],
    blocked_by: null
  });
  out.push({
    to: 'disqualified',
    allowed: true,
    needs_reason: true,
    reasons: ['not_a_fit', 'competitor', 'spam'],
    blocked_by: null
  });
  return out;
}
function detail(l) {
  return {
    lead_id: l.lead_id,
    account_id: l.account_id,
    created_at: l.created_at,
    fields: {
      name: l.name,
      email: l.email,
      job_title: l.title,
      department: 'Engineering',
      phone: '+44 20 7946 0000'
    },
    account: {
      account_id: l.account_id,
      fields:
          {name: `Account ${l.account_id}`, industry: 'Fintech', employees: '410', country: 'GB'}
    },
    stage: {
      stage: l.stage,
      since: l.history.at(-1)?.at || l.created_at,
      recycle_count: 0,
      recycle_until: null
    },
    owner: l.owner || null,
    handoff: l.owner ? {
      owner: l.owner,
      assigned_at: l.created_at,
      due_at: l.due_at,
      rule: 'round robin',
      step: 'call within 1 hour'
    } :
                       null,
    score: l.score,
    explanation: {
      lead_id: l.lead_id,
      ...l.score,
      explanation: {
        fit: {
          sum: l.score.fit,
          max: 100,
          rules: [
            {name: 'Core industry', points: 25, fields: {'account.industry': 'Fintech'}},
            {name: 'Mid-market size', points: 20, fields: {'account.employees': '410'}}
          ]
        },
        intent: {
          sum: l.score.intent,
          max: 100,
          entries: [
            {
              entry: 0,
              label: 'demo_request',
              type: 'demo_request',
              sum: 38.42,
              counted: 38.42,
              cap: 60,
              events: [{
                event_id: 'E1',
                type: 'demo_request',
                occurred_at: '2026-11-12T17:48:45Z',
                age_days: 10.26,
                half_life_days: 45,
                base_points: 45,
                points: 38.42
              }]
            },
            {
              entry: 1,
              label: 'Pricing page',
              type: 'page_view',
              sum: 40.24,
              counted: 30,
              cap: 30,
              events: [{
                event_id: 'E2',
                type: 'page_view',
                occurred_at: '2026-11-09T12:26:26Z',
                age_days: 13.48,
                half_life_days: 14,
                base_points: 10,
                points: 5.13
              }]
            }
          ],
          ignored: []
        },
        negative: [],
        action: {
          action: l.score.action,
          why: `cell ${l.score.cell} is in the ${l.score.action} list of [actions]`
        }
      }
    },
    frameworks: [bant(l)],
    history: l.history,
    touches: l.touches,
    moves: moves(l),
  };
}

const problem = (res, status, title, detail, errors) => {
  const body = {
    type: `https://leadq.dev/problems/${title.toLowerCase().replace(/ /g, '-')}`,
    title,
    status,
    detail
  };
  if (errors) body.errors = errors;
  res.writeHead(status, {'Content-Type': 'application/problem+json'});
  res.end(JSON.stringify(body));
};
const ok = (res, body, status = 200) => {
  res.writeHead(status, {'Content-Type': 'application/json'});
  res.end(JSON.stringify(body));
};

const MODELS = [
  {
    version: 1,
    hash: 'a1b2c3d4e5f60718',
    author: 'admin',
    message: 'first model',
    created_at: '2026-10-01T09:00:00Z',
    content: '[model]\nname = "B2B SaaS"\n\n[[fit.rules]]\nname = "Core industry"\npoints = 20\n'
  },
  {
    version: 2,
    hash: 'f0e1d2c3b4a59687',
    author: 'admin',
    message: 'core industry +5',
    created_at: '2026-11-01T09:00:00Z',
    content: '[model]\nname = "B2B SaaS"\n\n[[fit.rules]]\nname = "Core industry"\npoints = 25\n'
  },
];

async function api(req, res, url, who, body) {
  const p = url.pathname.replace('/api/v1', '');
  const q = url.searchParams;
  const role = who.role;
  const staff = role === 'admin' || role === 'ops';
  const deny = (roles) =>
      problem(res, 403, 'Forbidden', `only ${roles} may do this; this token is ${role}`);
  let m;
  if (p === '/me') return ok(res, who);
  if (p === '/pipeline') {
    if (!staff) return deny('admin, ops');
    const by =
        Object.fromEntries(STAGES.map((s) => [s, leads.filter((l) => l.stage === s).length]));
    const fits = ['A', 'B', 'C', 'D'];
    const ints = ['1', '2', '3'];
    return ok(res, {
      by_stage: by,
      funnel: STAGES.slice(0, 6).map((s, i) => ({stage: s, count: leads.length >> i})),
      grid: {
        fit_grades: fits,
        intent_grades: ints,
        counts: fits.map((f) => ints.map((g) => leads.filter((l) => l.score.cell === f + g).length))
      },
      waiting: leads.filter((l) => l.stage === 'mql' && !l.owner).map(summary),
      as_of: NOW()
    });
  }
  if (p === '/owners')
    return role === 'ingest' ? deny('admin, ops, seller') : ok(res, {items: OWNERS});
  if (p === '/queue') {
    if (role === 'ingest') return deny('admin, ops, seller');
    const owner = role === 'seller' ? who.owner : q.get('owner');
    if (!owner)
      return problem(
          res, 422, 'Invalid input', 'owner: say whose queue',
          [{field: 'owner', message: 'is required'}]);
    // The contract's answer: {owner, as_of, items}, minutes_left and overdue against now.
    const items =
        leads.filter((l) => l.owner === owner && ['mql', 'accepted'].includes(l.stage)).map((l) => {
          const left = Math.round((Date.parse(l.due_at) - Date.now()) / 60000);
          return {
            lead_id: l.lead_id,
            name: l.name,
            stage: l.stage,
            cell: l.score.cell,
            score: l.score.score,
            due_at: l.due_at,
            overdue: left < 0,
            minutes_left: left,
            next_step: 'call within the hour',
            why: 'respond first'
          };
        });
    return ok(res, {owner, as_of: NOW(), items});
  }
  if (p === '/leads' && req.method === 'GET') {
    if (!staff && role !== 'seller') return deny('admin, ops, seller');
    let list = leads.filter(
        (l) => (!q.get('stage') || l.stage === q.get('stage')) &&
            (!q.get('cell') || l.score.cell === q.get('cell')));
    if (role === 'seller')
      list = list.filter((l) => l.owner === who.owner);
    else if (q.get('owner'))
      list = list.filter((l) => l.owner === q.get('owner'));
    const limit = Number(q.get('limit') || 50);
    const offset = Number(q.get('offset') || 0);
    if (!(limit >= 1 && limit <= 500))
      return problem(
          res, 422, 'Invalid input', 'limit', [{field: 'limit', message: 'must be 1 to 500'}]);
    return ok(res, {
      total: list.length,
      limit,
      offset,
      items: list.slice(offset, offset + limit).map(summary)
    });
  }
  if ((m = p.match(/^\/leads\/([^/]+)(\/\w+)?$/))) {
    const l = leads.find((x) => x.lead_id === decodeURIComponent(m[1]));
    if (!l) return problem(res, 404, 'Not found', `lead ${m[1]} is not in the workspace`);
    if (role === 'seller' && l.owner !== who.owner)
      return deny(`admin, ops, or the seller who owns it (${l.owner || 'nobody'})`);
    if (!staff && role !== 'seller') return deny('admin, ops, seller');
    const sub = m[2] || '';
    if (!sub && req.method === 'GET') return ok(res, detail(l));
    if (sub === '/answers' && req.method === 'POST') {
      if (!body?.answers || typeof body.answers !== 'object')
        return problem(
            res, 422, 'Invalid input', 'answers',
            [{field: 'answers', message: 'must be an object'}]);
      for (const [c, v] of Object.entries(body.answers)) {
        if (!l.answers[c])
          return problem(
              res, 422, 'Invalid input', `BANT has no criterion ${c}`,
              [{field: `answers.${c}`, message: 'unknown criterion'}]);
        l.answers[c] =
            {value: v, evidence: body.evidence, source: body.source, author: who.name, at: NOW()};
      }
      return ok(res, {framework: bant(l), message: 'recorded'});
    }
    if (sub === '/stage' && req.method === 'POST') {
      const mv = moves(l).find((x) => x.to === body?.to);
      if (!mv)
        return problem(
            res, 409, 'Conflict', `lead ${l.lead_id} cannot move from ${l.stage} to ${body?.to}`);
      if (!mv.allowed) return problem(res, 409, 'Conflict', mv.blocked_by);
      if (mv.needs_reason && !body.reason)
        return problem(
            res, 422, 'Invalid input', 'a reason is needed',
            [{field: 'reason', message: 'is required'}]);
      const t = {
        seq: l.history.length + 1,
        lead_id: l.lead_id,
        from: l.stage,
        to: body.to,
        at: NOW(),
        actor: who.name,
        model_version: 2,
        reason: body.reason || '',
        note: body.note || '',
        scores: l.score
      };
      l.history.push(t);
      l.stage = body.to;
      return ok(res, {transition: t});
    }
    if (sub === '/assign' && req.method === 'POST') {
      if (!staff) return deny('admin, ops');
      l.owner = body?.to || 'ben';
      l.due_at = new Date(Date.now() + 3600000).toISOString();
      return ok(res, {
        lead_id: l.lead_id,
        assigned: true,
        owner: l.owner,
        rule: body?.to ? 'by hand' : 'round robin',
        due_at: l.due_at
      });
    }
    if (sub === '/touches' && req.method === 'POST') {
      l.touches.push({kind: body.kind, at: NOW(), by: who.name, note: body.note || ''});
      return ok(res, {touch: l.touches.at(-1), message: `${body.kind} recorded`});
    }
    return problem(res, 404, 'Not found', `no route ${req.method} ${url.pathname}`);
  }
  if (p.startsWith('/reports/')) {
    if (!staff) return deny('admin, ops');
    if (p === '/reports/calibration') {
      const deciles = Array.from({length: 10}, (_, i) => ({
                                                 band: `D${10 - i}`,
                                                 score_low: 90 - i * 10,
                                                 score_high: 100 - i * 10,
                                                 leads: 40,
                                                 wins: Math.max(0, 20 - 2 * i),
                                                 win_rate: Math.max(0, 20 - 2 * i) / 40,
                                                 median_cycle_days: 30 + i
                                               }));
      return ok(res, {
        leads: 400,
        wins: 110,
        losses: 290,
        verdict: 'The score ranks well (AUC 0.78) and is close to calibrated.',
        auc: 0.78,
        auc_interval: [0.73, 0.83],
        brier: 0.16,
        brier_base_rate: 0.2,
        log_loss: 0.49,
        deciles,
        cells: [],
        reliability: [0.05, 0.15, 0.25, 0.35, 0.45].map((x) => ({
                                                          low: x - 0.05,
                                                          high: x + 0.05,
                                                          count: 80,
                                                          mean_predicted: x,
                                                          observed_rate: x * 0.9 + 0.02
                                                        })),
        rules: null,
        notes: ['In-sample: a held-out check needs more outcomes.']
      });
    }
    if (p === '/reports/thresholds') {
      const cap = Number(q.get('capacity') || 40);
      if (q.get('capacity') && !(cap > 0))
        return problem(
            res, 422, 'Invalid input', 'capacity',
            [{field: 'capacity', message: 'must be a positive number of leads a week'}]);
      return ok(res, {
        capacity_per_week: cap,
        window: '2026-08-01..2026-11-23',
        weeks: 16,
        arrivals: 900,
        labelled: 400,
        line: 60,
        probability: null,
        lines: [40, 50, 60, 70, 80].map((x) => ({
                                          line: x,
                                          leads_per_week: (100 - x) * 1.2,
                                          expected_wins_per_week: (100 - x) * 0.2,
                                          conversion: x / 250,
                                          load: (100 - x) * 1.2 / cap,
                                          chosen: x === 60,
                                          extrapolated: false
                                        })),
        notes: []
      });
    }
  }
  if (p === '/trade/shortlist') {
    if (!staff) return deny('admin, ops');
    const c = (v, e) => ({verdict: v, evidence: e});
    return ok(res, {
      as_of: '2026-11-23',
      buyers: [{
        rank: 1,
        id: 'pl-hurtownia',
        name: 'HURTOWNIA MOTORYZACYJNA MAZOWSZE S.A.',
        country: 'PL',
        tier: 'qualified',
        met: 5,
        failed: 0,
        product: 'other parts (8708.99.97)',
        criteria: {
          activity: c('met', '16 shipments in the last 12 months'),
          capability: c('met', 'imports in 16 of 24 months'),
          movement: c('met', 'new suppliers carry 38%'),
          economics: c('met', 'margin 26.6%'),
          access: c('unknown', 'no contact recorded')
        },
        landed_cost: {
          currency: 'PLN',
          landed: 91.75,
          landed_usd: 22.94,
          lines: [
            {name: 'FOB', amount: 90.72, usd: 22.68, how: '21.00 EUR at 1.08 USD per EUR'},
            {name: 'freight', amount: 0.76, usd: 0.19, how: '0.11 EUR/kg x 1.6 kg'},
            {name: 'landed', amount: 91.75, usd: 22.94, how: 'FOB + freight + insurance + duty'}
          ]
        },
        signals: {margin: 0.266}
      }]
    });
  }
  if (p === '/models')
    return role === 'ingest' ? deny('admin, ops, seller') :
                               ok(res, {active: 2, versions: MODELS.map(({content, ...v}) => v)});
  if (p === '/models/diff')
    return ok(res, {
      from: Number(q.get('from')),
      to: Number(q.get('to')),
      changes: ['fit rule "Core industry": points 20 -> 25']
    });
  if ((m = p.match(/^\/models\/(\d+)$/))) {
    const v = MODELS.find((x) => x.version === Number(m[1]));
    return v ? ok(res, v) : problem(res, 404, 'Not found', `model version ${m[1]} does not exist`);
  }
  return problem(res, 404, 'Not found', `no route ${req.method} ${url.pathname}`);
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json'
};

const server = http.createServer(async (req, res) => {
  // The real server's headers, so a Content-Security-Policy violation shows up here too.
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader(
      'Content-Security-Policy',
      'default-src \'self\'; img-src \'self\' data:; ' +
          'style-src \'self\' \'unsafe-inline\'; frame-ancestors \'none\'');
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/api/v1')) {
    if (url.pathname === '/api/v1/health')
      return ok(res, {status: 'ok', version: 'mock', workspace: 'memory'});
    const auth = req.headers.authorization || '';
    const who = TOKENS[auth.replace(/^Bearer /, '')];
    if (!who) return problem(res, 401, 'Unauthorized', 'the API token is unknown or revoked');
    let body;
    if (req.method !== 'GET') {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks)) : {};
      } catch {
        return problem(res, 422, 'Invalid input', 'the body is not JSON');
      }
    }
    return api(req, res, url, who, body);
  }
  let file = url.pathname === '/' ? '/index.html' : url.pathname;
  file = file.startsWith('/vendor/chart.js/') ?
      path.join(WEB, 'node_modules', 'chart.js', 'dist', file.slice('/vendor/chart.js/'.length)) :
      path.join(WEB, file);
  if (!path.resolve(file).startsWith(WEB) || file.includes('..'))
    return problem(res, 404, 'Not found', url.pathname);
  try {
    const data = await readFile(file);
    res.writeHead(200, {'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream'});
    res.end(data);
  } catch {
    problem(res, 404, 'Not found', url.pathname);
  }
});
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`mock leadq on http://127.0.0.1:${server.address().port}`);
});
