/**
 * Screenshots of the lab's two pages for the README, taken in Debian's chromium:
 * `npx tsx test/web/screenshots.ts [model]` (model: 'toy' when its ONNX folder is shipped, else 'analytic')
 * writes docs/img/web-chordedit.png and docs/img/web-scaling.png.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../../src/core/outputs.js';
import { SHIPPED_MODELS } from '../../src/pipeline/index.js';
import { startLabServer } from '../../src/web/index.js';
import { launchChromium } from './chromium.js';

const model = process.argv[2] ?? (existsSync(SHIPPED_MODELS.toy) ? 'toy' : 'analytic');
const lab = await startLabServer({ port: 0, model });
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.goto(lab.url);
  await page.waitForFunction(
    () => /^(done|failed)/.test(document.getElementById('edit-status')?.textContent ?? ''),
    null,
    {
      timeout: 120_000,
    },
  );
  const status = await page.textContent('#edit-status');
  if (!status?.startsWith('done')) throw new Error(`the edit failed: ${await page.textContent('#edit-error')}`);
  await writeFileAtomic('docs/img/web-chordedit.png', await page.screenshot({ fullPage: true }));
  await page.click('#tab-scaling');
  await page.waitForSelector('#contour svg', { timeout: 60_000 });
  await writeFileAtomic('docs/img/web-scaling.png', await page.screenshot({ fullPage: true }));
  process.stderr.write(`screenshots written with model ${model}\n`);
} finally {
  await browser.close();
  await lab.close();
}
