/**
 * A person's path through the docs, in a real browser: open /docs, expand
 * POST /orders, "Try it out", Execute, and see 201, and the order exists.
 */
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './support/chromium';
import { apiUrl, http, uniqueId } from './support/helpers';

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}, 900_000);

afterAll(async () => {
  await browser?.close();
});

describe('the /docs page in Chromium', () => {
  it('starts an order with "Try it out" on POST /orders and shows 201', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${apiUrl()}/docs`, { waitUntil: 'domcontentloaded' });

    const operation = page.locator('#operations-orders-OrdersController_create');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();

    const body = operation.locator('textarea.body-param__text');
    // The first documented example is pre-filled.
    expect(JSON.parse(await body.inputValue())).toEqual({ orderId: 'order-123', paymentId: 'pmt-123' });
    const orderId = uniqueId('docs');
    await body.fill(JSON.stringify({ orderId, paymentId: uniqueId('pmt') }));
    await operation.getByRole('button', { name: 'Execute' }).click();

    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    expect((await status.innerText()).trim()).toBe('201');
    expect(await operation.locator('.live-responses-table').innerText()).toContain(orderId);

    const order = await http('GET', `/orders/${orderId}`);
    expect(order.status).toBe(200);
    expect(errors).toEqual([]);
    await page.close();
  });
});
