/**
 * Local mode: the same stacks, retargeted at synth time to the embedded emulator on the loopback
 * address. Accounts, roles, regions and options stay as the environment file says; only endpoints,
 * provider version and retries change. Credentials are never written: Terraform gets the emulator's
 * test keys through its environment (see `LOCAL_CREDENTIALS_ENV`).
 */
import * as https from 'node:https';
import { SESFORM_VARIABLES, setting } from '../config';
import { quote } from '../../modules/ses-rules';
import { localProviderVersion, terraformEnvironment } from '../terraform/terraform';

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

/**
 * A process environment for local mode: every inherited AWS variable (keys, session token, profile,
 * role, web identity, config files) removed, so nothing of the user's real AWS identity can reach the
 * emulator or anywhere else; then the emulator's test keys, and no shared config or metadata service.
 */
export function localProcessEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...withoutAwsVariables(base),
    ...LOCAL_CREDENTIALS_ENV,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** `env` without any inherited `AWS_*` variable. */
export function withoutAwsVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('AWS_')));
}

/** The environment for terraform processes, scrubbed for local mode. */
export function terraformEnvironmentFor(local: boolean): NodeJS.ProcessEnv {
  return local ? localProcessEnvironment(terraformEnvironment()) : terraformEnvironment();
}

/**
 * The only emulator addresses local mode accepts, exactly as written: a scheme, a loopback name and a
 * port, nothing else (no user info, no path, no other spelling of 127.0.0.1 that a resolver could
 * send elsewhere). HTTPS is allowed, for the emulator serving TLS (`--tls`); its throwaway
 * certificate is accepted for these addresses only.
 */
const LOOPBACK_ENDPOINT = /^(https?):\/\/(127\.0\.0\.1|localhost|\[::1\]):([1-9]\d{0,4})$/;

/** True for an endpoint local mode may talk to: see LOOPBACK_ENDPOINT. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  const match = LOOPBACK_ENDPOINT.exec(endpoint);
  return match !== null && Number(match[3]) <= 65535;
}

/** A local target, refusing any endpoint that is not loopback: local mode can never reach real AWS or real state. */
export function localTarget(endpoint: string, providerVersion: string): LocalTarget {
  if (!isLoopbackEndpoint(endpoint))
    throw new Error(
      `local mode only talks to the emulator on the loopback address, written exactly as http://127.0.0.1:PORT, http://localhost:PORT or http://[::1]:PORT (https:// for an emulator serving TLS); refusing ${quote(endpoint)}.`,
    );
  // Exactly the text that was checked is what the stacks are given.
  return { endpoint, providerVersion, tls: endpoint.startsWith('https:') };
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
