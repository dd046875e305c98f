/**
 * The live web view end to end, in a real headless Chromium against the real daemon: the page
 * loads with nothing leaving loopback; a clip played into the satellite's ALSA file mic moves the
 * state listening → processing and its captions reach two pages at once; the mic meter and the
 * wake score move; typed text comes back as a WAV in the page's audio element; mute from the page
 * reaches the satellite and MQTT; a model pull (licence warning first) shows progress against a
 * loopback mirror, and the pulled recogniser then transcribes a dropped WAV with times. A
 * screenshot of the page at the end goes to the test output.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { readClip } from '../../../helpers/clips.js';
import { need, sharedModel } from '../../../helpers/system.js';
import { silence } from '../../audio/alsa-file-devices.js';
import { TTS_CLIP } from '../../satellite/wyoming-satellite-fixtures.js';
import { INSECURE_HOST, launchChromium, nonLoopback, openPage, testOutput, type RecordedPage } from './headless-chromium.js';
import { API_KEY, PULL_ID, RIG_PARTS, rigReady, startWebRig, type WebRig } from './web-view-rig.js';

/** Long enough for the browsers to start and connect before the wake word comes. */
const LEAD_IN_S = 20;
const WAIT_MS = 20_000;
const COMMAND = 'librispeech-1089-134691-0000.wav';

function micRecording(): Buffer {
  return Buffer.concat([silence(LEAD_IN_S), readClip('oww-alexa.wav').pcm, silence(1.5), readClip(COMMAND).pcm, silence(30)]);
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent({ timeout: WAIT_MS });

/** Waits until the element's text matches (the whole text, for a string). The page's code runs in the browser, so it is a string here. */
async function waitText(page: Page, selector: string, expected: string | RegExp): Promise<void> {
  const pattern = typeof expected === 'string' ? new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : expected;
  const check = `new RegExp(${JSON.stringify(pattern.source)}, ${JSON.stringify(pattern.flags)}).test(document.querySelector(${JSON.stringify(selector)})?.textContent ?? '')`;
  try {
    await page.waitForFunction(check, undefined, { timeout: WAIT_MS });
  } catch (err) {
    const now = await page.locator(selector).first().textContent({ timeout: 1_000 }).catch(() => '(no element)');
    await page.screenshot({ path: testOutput('webview-failure.png'), fullPage: true }).catch(() => undefined);
    throw new Error(`${selector} never matched ${pattern} (it reads ${JSON.stringify(now)}); screenshot: webview-failure.png`, { cause: err });
  }
}

async function enterKey(view: RecordedPage): Promise<void> {
  const { page } = view;
  await page.locator('#key-form').waitFor({ state: 'visible', timeout: WAIT_MS });
  await page.fill('#key-input', API_KEY);
  await page.click('#key-form button[type=submit]');
  await waitText(page, '#stream', 'live');
}

describe('the live web view in a real browser', () => {
  let rig: WebRig | undefined;
  let browser: Browser | undefined;
  after(async () => {
    await browser?.close();
    await rig?.stop();
  });

  test('two pages follow the satellite live; speech, mute and a model pull work from the page; nothing leaves loopback', async (t) => {
    if (!need(t, rigReady(), RIG_PARTS)) return;
    const started = performance.now();
    [rig, browser] = await Promise.all([startWebRig('webview', micRecording()), launchChromium()]);
    const one = await openPage(browser, rig.url);
    const two = await openPage(browser, `${rig.url}ui`, { width: 390, height: 844 }); // a phone-sized page too
    const pages = [one, two];
    t.after(async () => {
      // On failure, what the pages showed (the passing run overwrites nothing: these names are its own).
      if (!passed) for (const [i, view] of pages.entries()) await view.page.screenshot({ path: testOutput(`webview-failed-${i + 1}.png`), fullPage: true }).catch(() => undefined);
    });
    let passed = false;
    assert.match(one.headers['content-security-policy'] ?? '', /default-src 'none'.*connect-src 'self'/, 'the page may load nothing from elsewhere');
    for (const view of pages) await enterKey(view);
    const lead = (performance.now() - started) / 1000;
    assert.ok(!rig.ha.types().includes('detection'), `the pages were live (after ${lead.toFixed(1)} s) before the wake word; a slower machine needs a longer LEAD_IN_S`);

    // Live state and the Home Assistant link, then the mic meter and the wake score (only sent while someone watches).
    for (const { page } of pages) {
      await page.locator('#scores .score', { hasText: 'alexa' }).waitFor({ timeout: WAIT_MS });
      await waitText(page, '#level-text', /-?\d+ dB/);
      await waitText(page, '#ha', 'connected');
    }

    // "alexa" in the mic → listening on both pages; HA's partial and final transcripts → captions on both, then processing.
    const run = await rig.ha.waitForType('run-pipeline', LEAD_IN_S * 1000 + WAIT_MS);
    assert.equal(run.frame.data['wake_word_name'], 'alexa');
    await Promise.all(pages.map(({ page }) => waitText(page, '#state', 'listening')));
    rig.ha.send('transcript-start', {});
    rig.ha.send('transcript-chunk', { text: 'he could' });
    await Promise.all(pages.map(({ page }) => page.locator('#captions li.partial', { hasText: 'he could' }).waitFor({ timeout: WAIT_MS })));
    rig.ha.send('transcript-chunk', { text: ' wait no longer' });
    rig.ha.send('transcript', { text: 'he could wait no longer' });
    await Promise.all(pages.map(({ page }) => waitText(page, '#state', 'processing')));
    for (const { page } of pages) {
      const caption = page.locator('#captions li.final', { hasText: 'he could wait no longer' });
      await caption.waitFor({ timeout: WAIT_MS });
      assert.equal(await caption.getAttribute('data-source'), 'satellite');
      assert.equal(await page.locator('#captions li').count(), 1, 'the partial grew into its final, one caption');
    }

    // HA's reply: listed with a play button on both pages.
    rig.ha.send('synthesize', { text: 'this is a test', voice: { name: 'en_US-test' } });
    const tts = readClip(TTS_CLIP);
    rig.ha.sendAudio(tts.pcm, tts.format);
    await rig.ha.waitForType('played', WAIT_MS);
    for (const { page } of pages) await page.locator('#replies li', { hasText: 'this is a test' }).locator('button').waitFor({ timeout: WAIT_MS });
    await waitText(one.page, '#state', 'idle');
    // Play on a reply speaks it again in the browser (HA's voice is not installed here: the chosen one speaks).
    await two.page.locator('#replies li', { hasText: 'this is a test' }).locator('button').click();
    await two.page.waitForFunction(`document.getElementById('tts-audio').src.startsWith('blob:')`, undefined, { timeout: WAIT_MS });

    // Typed text → a WAV in the page's audio element.
    await one.page.fill('#speak-text', 'hello from the browser');
    await one.page.click('#speak-form button[type=submit]');
    await one.page.waitForFunction(`document.getElementById('tts-audio').src.startsWith('blob:')`, undefined, { timeout: WAIT_MS });
    const wav = await one.page.evaluate<{ length: number; head: string; format: string }>(`(async () => {
      const bytes = new Uint8Array(await (await fetch(document.getElementById('tts-audio').src)).arrayBuffer());
      return { length: bytes.length, head: String.fromCharCode(...bytes.slice(0, 4)), format: String.fromCharCode(...bytes.slice(8, 12)) };
    })()`);
    assert.equal(wav.head, 'RIFF');
    assert.equal(wav.format, 'WAVE');
    assert.ok(wav.length > 44 + 16000, `the WAV holds speech (${wav.length} bytes)`);
    // The page's own request is listed as a reply over HTTP on both pages; the replay above (sent
    // before it, so its event would have come first) is not listed a second time.
    for (const { page } of pages) await page.locator('#replies li', { hasText: 'hello from the browser' }).filter({ hasText: 'HTTP' }).waitFor({ timeout: WAIT_MS });
    for (const { page } of pages) assert.equal(await page.locator('#replies li', { hasText: 'this is a test' }).count(), 1, 'a replay is not a new reply');

    // Mute from the page: the satellite's reducer and MQTT both see it, and so does the other page.
    const mark = rig.probe.mark();
    await one.page.click('#mute');
    const muted = await rig.probe.waitFor((m) => m.topic === `${rig!.base}/state` && JSON.parse(m.text)['muted'] === true, mark, WAIT_MS, 'muted state on MQTT');
    assert.equal(JSON.parse(muted.text)['state'], 'muted');
    assert.equal(rig.daemon.satellite!.muted, true);
    assert.equal(rig.daemon.satellite!.state, 'muted');
    await waitText(two.page, '#state', 'muted');
    // The button follows the live state, which reaches each page on its own stream: wait for it, then check.
    await one.page.waitForFunction(`document.getElementById('mute').getAttribute('aria-pressed') === 'true'`, undefined, { timeout: WAIT_MS }).catch(() => undefined);
    assert.equal(await one.page.getAttribute('#mute', 'aria-pressed'), 'true');

    // Volume from the page: the same command MQTT has, on the same controller.
    const volumeMark = rig.probe.mark();
    await one.page.locator('#volume').fill('40');
    await rig.probe.waitFor((m) => m.topic === `${rig!.base}/state` && JSON.parse(m.text)['volume'] === 40, volumeMark, WAIT_MS, 'volume 40 on MQTT');
    assert.equal(rig.daemon.satellite!.volume, 40);
    await waitText(two.page, '#volume-text', '40 %');

    // A pull from the page: the licence warning first, then progress while the mirror holds one file back.
    const row = one.page.locator(`#catalogue tr[data-id="${PULL_ID}"]`);
    await row.locator('button').click();
    await one.page.locator('#licence-dialog').waitFor({ state: 'visible' });
    assert.match((await text(one.page, '#licence-text')) ?? '', /CC-BY-NC-4\.0/);
    await one.page.click('#licence-accept');
    for (const { page } of pages) await waitText(page, '#pull-label', new RegExp(`^Pulling ${PULL_ID}`));
    // The files before the held one arrive; the bar shows bytes of a known size.
    await waitText(one.page, '#pull-text', /\d.* of \d/);
    // Read in one go: the next file starts again from 0.
    const seen = await one.page.waitForFunction(
      `(() => { const bar = document.getElementById('pull-progress'); return bar.value > 0 && bar.max > 1 && { value: bar.value, max: bar.max }; })()`,
      undefined,
      { timeout: WAIT_MS },
    );
    const progress = (await seen.jsonValue()) as { value: number; max: number };
    assert.ok(progress.max > 1 && progress.value > 0, `progress is shown (${progress.value} of ${progress.max})`);
    assert.equal(await one.page.locator(`#catalogue tr[data-id="${PULL_ID}"] button`).isDisabled(), true, 'no second pull while one runs');
    await waitText(two.page, '#pull-label', new RegExp(`^Pulling ${PULL_ID}`)); // still running: one file is held back
    rig.releasePull();
    await Promise.all(pages.map(({ page }) => waitText(page, '#pull-label', `Installed ${PULL_ID}`)));
    await row.locator('text=installed').waitFor({ timeout: WAIT_MS });
    assert.ok(rig.mirror.requests.length >= 4, 'the files came from the loopback mirror');

    // The pulled recogniser transcribes a dropped WAV, with times.
    await one.page.locator('#loaded li', { hasText: 'kws-zipformer' }).or(one.page.locator('#loaded li', { hasText: PULL_ID })).first().waitFor({ timeout: WAIT_MS });
    await one.page.setInputFiles('#wav-file', sharedModel('test-wavs', COMMAND));
    await one.page.waitForFunction(`document.getElementById('transcript').textContent.length > 0`, undefined, { timeout: WAIT_MS * 3 });
    const transcript = (await text(one.page, '#transcript')) ?? '';
    assert.match(transcript.toLowerCase(), /wait|longer|could/, `a transcript of the clip (${transcript})`);
    assert.ok((await one.page.locator('#words li').count()) > 0, 'times are shown');

    // Recording in the browser (loopback is a secure context; the fake microphone beeps): a WAV of about the recorded time.
    assert.equal(await one.page.isDisabled('#record'), false, 'recording is offered on localhost');
    await one.page.click('#record');
    await waitText(one.page, '#record', 'Stop');
    await one.page.waitForTimeout(1_500);
    await one.page.click('#record');
    await waitText(one.page, '#transcribe-status', /^recording\.wav: \d+(\.\d+)? s of audio$/);
    const seconds = Number(/: ([\d.]+) s/.exec((await text(one.page, '#transcribe-status')) ?? '')![1]);
    assert.ok(seconds > 0.8 && seconds < 10, `the recording lasted about as long as it ran (${seconds} s)`);

    // The same page by a LAN-style name over plain HTTP is no secure context: recording is off and the page says why.
    const insecure = await openPage(browser, rig.url.replace('127.0.0.1', INSECURE_HOST));
    pages.push(insecure);
    assert.equal(await insecure.page.evaluate('window.isSecureContext'), false, 'a plain-HTTP page by name is not a secure context');
    await waitText(insecure.page, '#record-note', /needs HTTPS/);
    assert.equal(await insecure.page.isDisabled('#record'), true, 'recording is not offered there');

    const shot = testOutput('webview.png');
    await one.page.screenshot({ path: shot, fullPage: true });
    await two.page.screenshot({ path: testOutput('webview-phone.png'), fullPage: true });
    process.stdout.write(`# web view screenshots: ${shot} and webview-phone.png beside it\n`);

    for (const view of pages) {
      assert.deepEqual(nonLoopback(view.requests), [], 'no request left loopback');
      assert.deepEqual(view.errors.filter((e) => !/401/.test(e)), [], 'no errors in the page');
    }
    passed = true;
  });
});
