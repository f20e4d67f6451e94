// Browser test of the leadq dashboard: playwright-core drives Debian's chromium (headless)
// against a running `leadq serve`.
//
// Environment: LEADQ_URL (base URL, e.g. http://127.0.0.1:8080), LEADQ_TOKEN (an admin token),
// LEADQ_SELLER_TOKEN (a seller token), LEADQ_LEAD (a lead owned by that seller, in stage
// accepted), LEADQ_ARTIFACTS (a directory for the screenshots), optional LEADQ_CHROMIUM
// (default /usr/bin/chromium).
//
// As the seller: sign in, open the queue, open the lead from it, record BANT (all four criteria
// met, with evidence) so the SQL gate opens, move the lead to sql, see the transition in its
// history, sign out (the token leaves sessionStorage). As the admin: screenshot every page
// (pipeline, queue, lead, learning, export, model) and the lead page at phone size.
// Exits 0 on success; on failure prints which step failed and why, saves failure.png, exits 1.
//
// Example:
//   LEADQ_URL=http://127.0.0.1:8080 LEADQ_TOKEN=lq_a LEADQ_SELLER_TOKEN=lq_s LEADQ_LEAD=L7 \
//   LEADQ_ARTIFACTS=/tmp/shots node tests/browser/dashboard.test.mjs

import {mkdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// playwright-core is installed in web/node_modules by scripts/install-deps.sh.
const require = createRequire(path.join(here, '..', '..', 'web', 'package.json'));

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`dashboard test: ${name} is not set (see the header of ${
        path.basename(fileURLToPath(import.meta.url))})`);
    process.exit(2);
  }
  return v;
}

const BASE = need('LEADQ_URL').replace(/\/+$/, '');
const ADMIN = need('LEADQ_TOKEN');
const SELLER = need('LEADQ_SELLER_TOKEN');
const LEAD = need('LEADQ_LEAD');
const ART = need('LEADQ_ARTIFACTS');
const CHROMIUM = process.env.LEADQ_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 15000;

let chromium;
try {
  ({chromium} = require('playwright-core'));
} catch (e) {
  console.error(
      `dashboard test: playwright-core is not installed in web/node_modules (run scripts/install-deps.sh): ${
          e.message}`);
  process.exit(2);
}
mkdirSync(ART, {recursive: true});

let current = 'start';
let page;
const pageErrors = [];

async function step(name, fn) {
  current = name;
  const t0 = Date.now();
  await fn();
  console.log(`ok   ${name} (${Date.now() - t0} ms)`);
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

// Waits until the page shows no loading placeholder.
async function settled() {
  await page.waitForFunction(
      () => !document.querySelector('main .loading'), null, {timeout: TIMEOUT});
}

// Opens a route and waits for its h1 and the end of loading; fails on an error notice.
async function open(hash, {allowNotice = false} = {}) {
  await page.goto(`${BASE}/${hash}`);
  await page.waitForSelector('main h1', {timeout: TIMEOUT});
  await settled();
  if (!allowNotice) {
    const err = page.locator('main .notice-error');
    if (await err.count()) {
      throw new Error(`${hash} shows an error: ${(await err.first().innerText()).trim()}`);
    }
  }
}

async function signIn(token) {
  await page.goto(`${BASE}/#/`);
  const input = page.getByLabel('API token');
  await input.waitFor({timeout: TIMEOUT});
  await input.fill(token);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.locator('#sign-out').waitFor({state: 'visible', timeout: TIMEOUT});
}

async function signOut() {
  await page.locator('#sign-out').click();
  await page.getByLabel('API token').waitFor({timeout: TIMEOUT});
  const left = await page.evaluate(() => sessionStorage.getItem('leadq.token'));
  check(left === null, 'sign out left the token in sessionStorage');
}

async function shot(name) {
  // Charts draw on the next animation frame; give them two.
  await page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({path: path.join(ART, `${name}.png`), fullPage: true});
}

const browser = await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox']});
let failed = false;
try {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => pageErrors.push(`${current}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' &&
        !/the server responded with a status of (401|403|404|409|422)/.test(m.text())) {
      pageErrors.push(`${current}: console: ${m.text()}`);
    }
  });

  await step('a bad token is refused in words', async () => {
    await page.goto(`${BASE}/#/`);
    await page.getByLabel('API token').fill('lq_not_a_token');
    await page.getByRole('button', {name: 'Sign in'}).click();
    const msg = page.locator('.notice-error');
    await msg.waitFor({timeout: TIMEOUT});
    check(
        /not accepted/.test(await msg.innerText()), `unexpected message: ${await msg.innerText()}`);
  });

  await step('seller signs in and sees only its pages', async () => {
    await signIn(SELLER);
    const who = await page.locator('#who').innerText();
    check(/seller/.test(who), `the header says "${who}", not the seller role`);
    check(
        !(await page.locator('#nav li[data-need="pipeline"]').isVisible()),
        'a seller sees the Pipeline link');
    check(
        await page.locator('#nav li[data-need="queue"]').isVisible(),
        'a seller does not see My queue');
  });

  await step('seller opens the queue and the lead from it', async () => {
    await open('#/queue');
    const link = page.locator(`main table a[href="#/lead/${encodeURIComponent(LEAD)}"]`);
    check(await link.count() > 0, `lead ${LEAD} is not in the seller's queue`);
    const clock = page.locator('main table .clock').first();
    const before = await clock.innerText();
    check(/left|overdue by|no clock/.test(before), `the response clock says "${before}"`);
    await link.first().click();
    await page.waitForURL(`**/#/lead/${encodeURIComponent(LEAD)}`);
    await page.locator('main h1', {hasText: LEAD}).waitFor();
    await settled();
  });

  await step('seller records BANT with evidence: all four criteria met', async () => {
    const form =
        page.locator('form.framework').filter({has: page.locator('h3', {hasText: /BANT/i})});
    check(await form.count() === 1, 'no BANT checklist on the lead page');
    const criteria = form.locator('fieldset.criterion');
    const n = await criteria.count();
    check(n === 4, `BANT shows ${n} criteria, not 4`);
    for (let i = 0; i < n; i++) {
      const c = criteria.nth(i);
      const name = await c.getAttribute('data-criterion');
      await c.getByLabel('Answer').selectOption('met');
      await c.getByLabel('Evidence')
          .fill(`${name}: confirmed on the discovery call (browser test)`);
      await c.getByLabel('Source').fill('call');
    }
    await form.getByRole('button', {name: /Save .* answers/}).click();
    await page.locator('.status-line .notice-info', {hasText: 'Saved 4 answers'}).waitFor();
    const heading = await page.locator('form.framework h3', {hasText: /BANT/i}).innerText();
    check(/4 of 4 met/.test(heading), `after saving, the checklist says "${heading}"`);
    const evidence =
        await page.locator('form.framework fieldset.criterion input[name$=".evidence"]')
            .first()
            .inputValue();
    check(/discovery call/.test(evidence), 'the evidence did not come back from the server');
  });

  await step('seller moves the lead to sql and sees it in the history', async () => {
    const move = page.locator('button[data-move="sql"]');
    check(await move.count() === 1, 'no "Move to sql" button');
    if (!(await move.isEnabled())) {
      const why = page.locator('#blocked-sql');
      throw new Error(`"Move to sql" is still disabled: ${
          await why.count() ? await why.innerText() : 'no reason shown'}`);
    }
    const reason = page.locator('select[name="reason-sql"]');
    if (await reason.count()) {
      const values = await reason.locator('option').evaluateAll(
          (os) => os.map((o) => o.value).filter(Boolean));
      await reason.selectOption(values[0]);
    }
    await page.getByLabel('Note (optional)').fill('BANT confirmed by the browser test');
    await move.click();
    await page.locator('.status-line .notice-info', {hasText: /to sql/}).waitFor();
    const stage = await page.locator('.lead-meta .pill').first().innerText();
    check(stage === 'sql', `the lead's stage shows "${stage}", not sql`);
    const rows =
        page.locator('table.history tbody tr', {hasText: 'BANT confirmed by the browser test'});
    check(await rows.count() === 1, 'the sql transition is not in the history table');
    const text = await rows.first().innerText();
    check(/accepted/.test(text) && /sql/.test(text), `the history row says "${text}"`);
  });

  await step('seller signs out', signOut);

  await step('admin signs in', async () => {
    await signIn(ADMIN);
    const who = await page.locator('#who').innerText();
    check(/admin/.test(who), `the header says "${who}", not admin`);
  });

  await step('pipeline page', async () => {
    await open('#/pipeline');
    // Keyboard: the first Tab reaches the skip link, Enter puts focus on the content.
    await page.reload();
    await page.waitForSelector('main h1');
    await settled();
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.className);
    check(first === 'skip-link', `the first Tab focuses "${first}", not the skip link`);
    await page.keyboard.press('Enter');
    const focused = await page.evaluate(() => document.activeElement?.id);
    check(focused === 'main', `the skip link moved focus to "${focused}", not the content`);
    check(page.url().endsWith('#/pipeline'), `the skip link changed the route to ${page.url()}`);
    check(await page.locator('main canvas').count() >= 1, 'no funnel chart');
    check(await page.locator('table.heatmap td.heat').count() >= 1, 'no heat map cells');
    await shot('pipeline');
  });

  await step('queue page', async () => {
    await open('#/queue');
    check(await page.getByLabel('Owner').count() === 1, 'admin has no owner select on the queue');
    await shot('queue');
  });

  await step('lead page', async () => {
    await open(`#/lead/${encodeURIComponent(LEAD)}`);
    check(await page.locator('table.history').count() === 1, 'no history on the lead page');
    await shot('lead');
  });

  await step('learning page', async () => {
    await open('#/learning', {allowNotice: true});
    await shot('learning');
  });

  await step('export page', async () => {
    await open('#/export', {allowNotice: true});
    const more = page.locator('details.landed summary').first();
    if (await more.count()) await more.click();
    await shot('export');
  });

  await step('model page', async () => {
    await open('#/model');
    check(await page.locator('pre.toml').count() === 1, 'no TOML on the model page');
    // Try a change: a mistake is shown with its line and column; the original checks.
    const editor = page.locator('#try-toml');
    const original = await editor.inputValue();
    await editor.fill(original + '\n[no_such_section]\nx = 1\n');
    await page.getByRole('button', {name: 'Check', exact: true}).click();
    await page.locator('#try-out li code').first().waitFor();
    const error = await page.locator('#try-out li code').first().innerText();
    check(/^model\.toml:\d+:\d+: /.test(error), `the check's error has no position: ${error}`);
    await editor.fill(original);
    await page.getByRole('button', {name: 'Check', exact: true}).click();
    await page.locator('#try-out pre.toml').waitFor();
    check((await page.locator('#try-out').innerText()).includes('Valid.'), 'the model did not check');
    await shot('model');
  });

  await step('lead page on a phone', async () => {
    await page.setViewportSize({width: 390, height: 844});
    await open(`#/lead/${encodeURIComponent(LEAD)}`);
    const overflow =
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `the page is ${overflow}px wider than the phone screen`);
    await shot('lead-phone');
  });

  await step('no script errors', async () => {
    check(pageErrors.length === 0, `errors in the page:\n  ${pageErrors.join('\n  ')}`);
  });
} catch (e) {
  failed = true;
  console.error(`FAIL ${current}: ${e.message.split('\n')[0]}`);
  if (e.message.includes('\n')) console.error(e.message.split('\n').slice(1, 12).join('\n'));
  if (pageErrors.length) console.error(`page errors:\n  ${pageErrors.join('\n  ')}`);
  try {
    if (page) {
      await page.screenshot({path: path.join(ART, 'failure.png'), fullPage: true});
      console.error(`screenshot of the failure: ${path.join(ART, 'failure.png')}`);
    }
  } catch { /* the browser may be gone */
  }
} finally {
  await browser.close();
}
if (failed) process.exit(1);
console.log(`dashboard test passed; screenshots in ${ART}`);
