/**
 * Debian's Chromium, headless, through playwright-core, for the HTML report's browser tests. The
 * flags keep it off the network (this machine's network is closed) and out of any shared profile.
 */
import * as fs from 'node:fs';
import { Browser, chromium } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath))
    throw new Error(
      `Chromium is not at ${executablePath}: install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH.`,
    );
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
