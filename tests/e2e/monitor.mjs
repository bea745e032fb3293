// Screenshots of a product page with open vulnerability cases, in Japanese and English, in
// headless Chromium (Debian /usr/bin/chromium, playwright-core). Run by
// tests/integration/registry_monitor_browser.sh after the living-labels scenario; REG_NO is
// the router whose CVE-2023-46218 case is still open, whose busybox case the vendor
// answered not affected (acknowledged) and whose kernel case is fixed. Screenshots go to $ARTIFACTS.
import { chromium } from 'playwright-core';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const URL = process.env.REG_URL, ART = process.env.ARTIFACTS, REG = process.env.REG_NO;
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
});
ctx.setDefaultTimeout(15000);
const page = ctx.pages()[0] || await ctx.newPage();
try {
  for (const [lang, open, ack, fixed, title] of [['ja', '未対応', '審査機関が確認済み', '修正済み', '脆弱性への対応状況'],
                                                ['en', 'Open', 'Acknowledged by the reviewer', 'Fixed', 'Vulnerability cases']]) {
    await page.goto(`${URL}/products/${REG}?lang=${lang}`);
    const cases = await page.innerText('#cases');
    check(`${lang}: section title`, (await page.innerText('main')).includes(title));
    check(`${lang}: the open case CVE-2023-46218 with its status`,
          cases.split('\n').some(l => l.includes('CVE-2023-46218') && l.includes(open)));
    const line = (id) => cases.split('\n').find(l => l.includes(id)) || '';
    check(`${lang}: the not-affected answer, acknowledged`, line('CVE-2016-2147').includes(ack));
    check(`${lang}: the KEV case fixed`, line('CVE-2024-1086').includes(fixed));
    check(`${lang}: no raw state identifier`, !/\b(not_affected|assessing|acknowledged)\b/.test(cases));
    const shot = join(ART, `product-open-case-${lang}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    check(`${lang}: screenshot written`, statSync(shot).size > 10000);
  }
} catch (e) {
  failed++;
  console.error('FAIL: ' + e.message);
} finally {
  await ctx.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
