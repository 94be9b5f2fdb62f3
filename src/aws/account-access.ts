/**
 * The AWS clients of one account and region, as every part of sesform that talks to an account
 * (verify, drift's unmanaged sets, adopt, export, the alarms) makes them: credentials from
 * AssumeRole into the stack's deploy role, and the emulator's endpoint in local mode.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { FleetStack } from '../fleet/fleet';
import { LocalTarget, emulatorClientConfig } from '../local/local-target';

/** How to reach one account and region: its deploy role, and the emulator in local mode. */
export interface AccountAccess {
  readonly roleArn: string;
  readonly externalId?: string;
  readonly region: string;
  readonly local?: LocalTarget;
}

export function accessOf(stack: FleetStack, local?: LocalTarget): AccountAccess {
  return { roleArn: stack.deployRole.arn, externalId: stack.deployRole.externalId, region: stack.region, local };
}

/**
 * Client settings for one account and region with credentials from AssumeRole into the deploy role
 * (the default chain signs that call): for any AWS SDK client of the account.
 */
export async function accountClientConfig(access: AccountAccess, sessionName: string) {
  const { region, local } = access;
  const base = local ? emulatorClientConfig(local) : {};
  const sts = new STSClient({ region, ...base });
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: access.roleArn,
        ExternalId: access.externalId,
        RoleSessionName: sessionName,
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey)
      throw new Error(`AssumeRole into ${access.roleArn} returned no credentials`);
    return {
      region,
      ...base,
      credentials: {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
      },
    };
  } finally {
    sts.destroy();
  }
}

/** An SES v2 client of the account, through its deploy role. */
export async function sesClientFor(access: AccountAccess, sessionName = 'sesform-adopt'): Promise<SESv2Client> {
  return new SESv2Client(await accountClientConfig(access, sessionName));
}
