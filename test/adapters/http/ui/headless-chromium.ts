/**
 * Debian's Chromium driven by playwright-core, with everything that would reach the network on
 * its own turned off. Every request a page makes is recorded, so a test can show that nothing
 * left loopback.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['SATELLITE_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
/**
 * A name the browser resolves to 127.0.0.1 (nothing is looked up): a page opened by it is on
 * loopback but, not being `localhost`, is not a secure context, as a phone on the LAN would see it.
 */
export const INSECURE_HOST = 'satellite.test';

/** No background traffic (updates, sync, safe browsing, field trials): the page's requests are all there is. */
const QUIET_FLAGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-breakpad',
  '--metrics-recording-only',
  '--no-default-browser-check',
  '--disable-features=Translate,OptimizationHints,MediaRouter,HttpsUpgrades',
  `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
  '--autoplay-policy=no-user-gesture-required',
  // a synthetic microphone (a beep), allowed without a prompt: the page's recorder can be driven
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // the tests run as root
  '--no-sandbox',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: QUIET_FLAGS });
}

export interface RecordedPage {
  page: Page;
  /** Every URL the page asked for, in order. */
  requests: string[];
  /** Console errors and uncaught exceptions in the page. */
  errors: string[];
  /** The page's response headers. */
  headers: Record<string, string>;
}

export async function openPage(browser: Browser, url: string, viewport = { width: 1100, height: 1400 }): Promise<RecordedPage> {
  // The test's own probes run as evaluated strings, which the page's CSP (no eval) would refuse; the CSP itself is checked on the response.
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const response = await page.goto(url);
  return { page, requests, errors, headers: response?.headers() ?? {} };
}

/** URLs that went anywhere but this machine's loopback (blob: and data: URLs stay in the page). */
export function nonLoopback(requests: readonly string[]): string[] {
  return requests.filter((u) => {
    if (u.startsWith('blob:') || u.startsWith('data:')) return false;
    const host = new URL(u).hostname;
    return !(host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === INSECURE_HOST);
  });
}

/** Where screenshots go: $SATELLITE_TEST_OUT, else dist/test-output. */
export function testOutput(name: string): string {
  const dir = process.env['SATELLITE_TEST_OUT'] ?? path.resolve('dist', 'test-output');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
