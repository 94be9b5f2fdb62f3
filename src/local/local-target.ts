/**
 * Local mode: the same stacks, retargeted at synth time to the embedded emulator on the loopback
 * address. Accounts, roles, regions and options stay as the environment file says; only endpoints,
 * provider version and retries change. Credentials are never written: Terraform gets the emulator's
 * test keys through its environment (see `LOCAL_CREDENTIALS_ENV`).
 */
import * as https from 'node:https';
import { SESFORM_VARIABLES, setting } from '../config';
import { localProviderVersion } from '../terraform/terraform';

/** Where and how local stacks talk to the emulator. */
export interface LocalTarget {
  /** The emulator, `http://127.0.0.1:PORT` (or `https://` with its throwaway certificate): always loopback. */
  readonly endpoint: string;
  /** The emulator serves HTTPS with a self-signed certificate, which clients accept for this loopback address only. */
  readonly tls: boolean;
  /** The AWS provider version to pin (the offline mirror's). */
  readonly providerVersion: string;
}

/** The emulator's test credentials, for the environment of the terraform processes only. */
export const LOCAL_CREDENTIALS_ENV: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
};

/** True for an http(s) endpoint on the loopback address, the only place local mode may talk to. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return ['http:', 'https:'].includes(url.protocol) && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

/** A local target, refusing any endpoint that is not loopback: local mode can never reach real AWS or real state. */
export function localTarget(endpoint: string, providerVersion: string): LocalTarget {
  if (!isLoopbackEndpoint(endpoint))
    throw new Error(
      `local mode only talks to the emulator on the loopback address (http(s)://127.0.0.1:PORT); refusing ${JSON.stringify(endpoint)}.`,
    );
  return { endpoint: endpoint.replace(/\/+$/, ''), providerVersion, tls: endpoint.startsWith('https:') };
}

/** AWS SDK client settings for the emulator: its endpoint, test keys, and its self-signed certificate accepted. */
export function emulatorClientConfig(target: LocalTarget) {
  return {
    endpoint: target.endpoint,
    credentials: {
      accessKeyId: LOCAL_CREDENTIALS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_CREDENTIALS_ENV.AWS_SECRET_ACCESS_KEY,
    },
    ...(target.tls ? { requestHandler: { httpsAgent: new https.Agent({ rejectUnauthorized: false }) } } : {}),
  };
}

/** How a command was asked to run: `--local` and `--endpoint` (main.ts passes what the stock CLI gets). */
export interface LocalModeRequest {
  readonly local: boolean;
  readonly endpoint?: string;
}

/**
 * The one rule for local mode: it is on only when asked for (`--local`; for the stock cdktf CLI,
 * `SESFORM_LOCAL_ENDPOINT` in main.ts), and the emulator's address is `--endpoint`, else
 * `SESFORM_LOCAL_ENDPOINT`. Undefined address: local mode without an emulator given (the engine
 * starts its own). A variable that is merely set never turns local mode on.
 */
export function localEndpoint(request: LocalModeRequest): { local: false } | { local: true; endpoint?: string } {
  if (!request.local) {
    if (request.endpoint !== undefined)
      throw new Error("--endpoint is the emulator's address for --local: add --local.");
    return { local: false };
  }
  const endpoint = request.endpoint ?? setting('localEndpoint');
  return endpoint === undefined ? { local: true } : { local: true, endpoint };
}

/** The local target a command asked for, or undefined for real AWS; an address is required. */
export function requestedLocalTarget(request: LocalModeRequest): LocalTarget | undefined {
  const mode = localEndpoint(request);
  if (!mode.local) return undefined;
  if (mode.endpoint === undefined)
    throw new Error(
      `--local needs the emulator's address: --endpoint http://127.0.0.1:PORT or ${SESFORM_VARIABLES.localEndpoint} (\`sesform emulator\` prints it).`,
    );
  return localTarget(mode.endpoint, localProviderVersion());
}

/** Local mode for the stock cdktf CLI (main.ts), which has no --local: on when SESFORM_LOCAL_ENDPOINT is set. */
export function stockCliLocalTarget(): LocalTarget | undefined {
  return requestedLocalTarget({ local: setting('localEndpoint') !== undefined });
}
