// End-to-end test of jcstar serve in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core): a vendor files an application through the web UI, the reviewer, the
// government liaison and the admin act on it, the label is issued, and the product is found
// in the public list. Screenshots go to $ARTIFACTS. Run by tests/integration/registry_browser.sh.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const URL = process.env.REG_URL;
const ART = process.env.ARTIFACTS;
const DOCS = process.env.DOCS;
let passed = 0, failed = 0;
function check(desc, cond) {
  if (cond) passed++; else { failed++; console.error('FAIL: ' + desc); }
}

const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'jcs-chromium-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
  viewport: { width: 1100, height: 900 },
  locale: 'en-US',
});
ctx.setDefaultTimeout(15000);
const page = ctx.pages()[0] || await ctx.newPage();
const shot = (name) => page.screenshot({ path: join(ART, name + '.png'), fullPage: true });

async function login(name) {
  await page.goto(URL + '/login');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', 'e2e-password-' + name);
  await page.click('form[action="/login"] button');
  await page.waitForURL(URL + '/apps');
}
async function logout() {
  await page.click('form[action="/logout"] button');
  await page.waitForURL(URL + '/');
}
async function action(name, fields = {}) {
  const form = page.locator(`form:has(input[name=action][value="${name}"])`);
  for (const [k, v] of Object.entries(fields)) await form.locator(`[name=${k}]`).fill(v);
  await Promise.all([page.waitForLoadState('load'), form.locator('button').click()]);
  await page.waitForLoadState('load');
}
const state = async () => await page.locator('#state').getAttribute('data-state');
// Identifiers of states, actions, document kinds and roles that a reader must never see raw.
const IDS = /\b(draft|submitted|under_review|inquiry|inquiry_answered|accepted|fee_confirmed|issued|rejected|withdrawn|suspended|revoked|expiry_grace|expired|not_registered|start_review|confirm_fee|notify_change|attach:\w+|create|override|conform|nonconform|needs-evidence|not-applicable)\b/;
const SNAKE = /\b[a-z]+_[a-z_]+\b|\battach:/; // an English page may say "under review", never "under_review"
async function wording(what, lang) {
  const text = await page.innerText('main');
  const m = (lang === 'ja' ? IDS : SNAKE).exec(text);
  check(`${what} (${lang}): no untranslated identifier` + (m ? ` (found "${m[0]}")` : ''), !m);
}

try {
  // vendor files an application with its documents and submits it
  await login('vendor');
  await page.click('a[href="/apps/new"]');
  await page.fill('input[name=product]', 'Smart Home Hub H1');
  await page.fill('input[name=category]', 'home-gateway');
  await page.fill('textarea[name=models]', 'HUB-H1\nHUB-H1-W');
  await page.fill('input[name=firmware]', '2.4.0');
  await page.fill('input[name=support_end]', '2031-03-31');
  await page.fill('input[name=contact]', 'security@hub.example');
  await page.fill('textarea[name=update_info]', 'Automatic updates, advisories at https://hub.example/security');
  await Promise.all([page.waitForURL(/\/apps\/\d+$/), page.click('form[action="/apps"] button')]);
  const appUrl = page.url();
  check('draft created', await state() === 'draft');
  for (const [kind, file] of [['report', 'report.json'], ['checklist', 'checklist.csv']]) {
    await page.selectOption('select[name=kind]', kind);
    await page.setInputFiles('input[name=file]', join(DOCS, file));
    await Promise.all([page.waitForURL(appUrl), page.click('form[enctype="multipart/form-data"] button')]);
  }
  check('two documents attached', await page.locator('ul li').count() === 2);
  await action('submit');
  check('submitted', await state() === 'submitted');
  const appNo = (await page.locator('dd').first().textContent()).trim();
  check('application number shown', /^APP-\d{4}-\d{6}$/.test(appNo));
  await shot('01-vendor-submitted');
  await logout();

  // reviewer: queue, review, supply-chain inquiry
  await login('reviewer');
  check('reviewer queue lists the application', (await page.locator('#apps').textContent()).includes('Smart Home Hub H1'));
  await shot('02-reviewer-queue');
  await page.goto(appUrl);
  await action('start_review');
  check('under review', await state() === 'under_review');
  await action('inquire', { question: 'Supply-chain risk of HUB-H1 components?' });
  check('inquiry', await state() === 'inquiry');
  await logout();

  // government liaison answers
  await login('liaison');
  await page.goto(appUrl);
  await action('answer', { answer: 'No concerns identified.' });
  check('inquiry answered', await state() === 'inquiry_answered');
  await logout();

  await login('reviewer');
  await page.goto(appUrl);
  await action('accept');
  check('accepted', await state() === 'accepted');
  await logout();

  await login('finance');
  await page.goto(appUrl);
  await action('confirm_fee');
  check('fee confirmed', await state() === 'fee_confirmed');
  await logout();

  await login('reviewer');
  await page.goto(appUrl);
  await action('issue');
  check('issued', await state() === 'issued');
  const regNo = (await page.locator('#regno').textContent()).trim();
  check('registration number', /^JCS-1-\d{4}-\d{6}$/.test(regNo));
  await wording('application page with its audit trail', 'en');
  check('state in words', (await page.locator('#state').textContent()).trim() === 'label issued');
  await shot('03-reviewer-issued');
  await page.goto(appUrl + '?lang=ja');
  await wording('application page with its audit trail', 'ja');
  check('state in Japanese', (await page.locator('#state').textContent()).trim() === 'ラベル発行済み');
  check('roles and document kinds in Japanese', (await page.textContent('main')).includes('(ベンダー)') &&
        (await page.textContent('main')).includes('添付: チェックリスト (CSV)'));
  check('level shown as ★1', (await page.textContent('main')).includes('★1'));
  await shot('03-reviewer-issued-ja');
  await page.goto(URL + '/apps?lang=ja');
  await wording('application list', 'ja');
  await page.goto(URL + '/apps?lang=en');
  await wording('application list', 'en');
  await logout();

  // public: search the list, open the product page (English and Japanese)
  await page.goto(URL + '/');
  await page.fill('input[name=model]', 'hub-h1');
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/"] button')]);
  const row = page.locator(`table tr:has(a[href="/products/${regNo}"])`);
  check('product found in the public list', await row.count() === 1);
  check('listed as valid', (await row.textContent()).includes('valid'));
  await shot('04-public-list');
  await row.locator('a').click();
  await page.waitForURL(URL + '/products/' + regNo);
  const body = await page.textContent('main');
  check('product page shows supplier, contact, support period',
        body.includes('Acme Home K.K.') && body.includes('security@hub.example') && body.includes('2031-03-31'));
  check('label image loads', await page.locator('img').evaluate((i) => i.complete && i.naturalWidth > 0));
  check('no claim of being secure', !/is secure|completely secure/i.test(body));
  await shot('05-product-page');
  await wording('product page', 'en');
  await page.goto(URL + '/products/' + regNo + '?lang=ja');
  check('Japanese product page', (await page.textContent('main')).includes('登録番号'));
  check('product page: level ★1', (await page.textContent('main')).includes('★1'));
  await wording('product page', 'ja');
  await shot('06-product-page-ja');
  await page.goto(URL + '/?lang=ja');
  await wording('public list', 'ja');

  // procurement check: the ★1 label meets "low", not "high"
  await page.goto(URL + '/procurement?lang=en');
  await page.selectOption('select[name=importance]', 'high');
  await page.fill('textarea[name=models]', 'HUB-H1\nUNKNOWN-9');
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/procurement"] button')]);
  const res = await page.textContent('#results');
  check('procurement: labelled but does not meet ★3', res.includes(regNo) && res.includes('does not meet'));
  // one column per fact: the registration number, then its status
  const cols = await page.locator('#results tr th').allTextContents();
  const cell = async (model, col) => (await page.locator(`#results tr:has(td:text-is("${model}")) td`).nth(cols.indexOf(col)).textContent()).trim();
  check('procurement: registration number column', await cell('HUB-H1', 'Registration number') === regNo);
  check('procurement: status column', await cell('HUB-H1', 'Status') === 'valid');
  check('procurement: unknown model has no number', await cell('UNKNOWN-9', 'Registration number') === '—');
  check('procurement: unknown model not registered', await cell('UNKNOWN-9', 'Status') === 'not registered');
  await wording('procurement check', 'en');
  await shot('07-procurement');
  await page.goto(URL + '/procurement?lang=ja');
  await page.selectOption('select[name=importance]', 'high');
  await page.fill('textarea[name=models]', 'HUB-H1\nUNKNOWN-9');
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/procurement"] button')]);
  check('procurement (ja): not registered in Japanese', (await page.textContent('#results')).includes('未登録'));
  await wording('procurement check', 'ja');
  await shot('07-procurement-ja');
} catch (e) {
  failed++;
  console.error('FAIL: ' + e.message);
  await shot('99-failure').catch(() => {});
} finally {
  await ctx.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
