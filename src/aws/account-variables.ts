/**
 * `sesform emulator --print-env`: the shell variables that reach one environment's account in a
 * running emulator by hand (the AWS CLI, boto3, any SDK), through its deploy role as sesform does:
 * the emulator's test keys sign AssumeRole (with the role's external ID), and the role's session
 * credentials are that account's. They are the emulator's throwaway credentials, valid only there.
 */
import { accessOf, accountClientConfig } from './account-access';
import type { FleetStack } from '../fleet/fleet';
import { LocalTarget, isLoopbackEndpoint } from '../local/local-target';

/** A value quoted for a POSIX shell: single quotes, each quote inside closed and escaped. */
export function shellQuoted(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Variables that choose another identity than the printed keys; unset first. */
const IDENTITY_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

/** The variables, in the order they are printed. */
export async function accountVariables(stack: FleetStack, local: LocalTarget): Promise<[string, string][]> {
  if (!isLoopbackEndpoint(local.endpoint))
    throw new Error(
      `--print-env reaches the emulator only, on 127.0.0.1; ${local.endpoint} is not a loopback address.`,
    );
  // In local mode the emulator's test keys sign AssumeRole (emulatorClientConfig), whatever the shell has.
  const config = await accountClientConfig(accessOf(stack, local), 'sesform-by-hand');
  return [
    ['AWS_ENDPOINT_URL', local.endpoint],
    ['AWS_REGION', stack.region],
    // The AWS CLI and boto3 read this one.
    ['AWS_DEFAULT_REGION', stack.region],
    ['AWS_ACCESS_KEY_ID', config.credentials.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', config.credentials.secretAccessKey],
    ['AWS_SESSION_TOKEN', config.credentials.sessionToken ?? ''],
  ];
}

/** The lines --print-env writes: a comment naming the account and role, then one export per variable. */
export function accountVariableLines(stack: FleetStack, variables: readonly [string, string][]): string[] {
  const externalId = stack.deployRole.externalId === undefined ? '' : ', with its external ID';
  return [
    `# ${stack.environment.name}: account ${stack.accountId}, ${stack.region}, through ${stack.deployRole.arn}${externalId}.`,
    '# The emulator\'s throwaway credentials: paste into a shell, or eval "$(npx sesform emulator --print-env ...)".',
    // A profile or role the shell names would take precedence over these keys in the AWS CLI and SDKs.
    `unset ${IDENTITY_VARIABLES.join(' ')}`,
    ...variables.map(([name, value]) => `export ${name}=${shellQuoted(value)}`),
  ];
}
