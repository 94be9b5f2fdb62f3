/**
 * End-to-end fixture: the embedded emulator, environments synthesized in local mode into a
 * temporary folder, one Terraform workspace per stack, and SDK clients that reach each account
 * through AssumeRole (as the provider does).
 */
import { resolveFleet } from '../../src/fleet/fleet';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetConfigurationSetCommand, ListConfigurationSetsCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { synthesize } from '../../src/app';
import { defaultConcurrency, mapLimit } from '../../src/concurrency';
import { Emulator, startEmulator } from '../../src/emulator/emulator';
import { LoadedEnvironment, loadEnvironments } from '../../src/fleet/loader';
import { sesClientFor } from '../../src/aws/account-access';
import { LocalTarget, localTarget, terraformEnvironmentFor } from '../../src/local/local-target';
import { createLocalStateBuckets } from '../../src/local/state-buckets';
import type { StackWorkspace } from '../../src/terraform/stack-workspace';
import { TerraformCli } from '../../src/terraform/terraform-cli';
import { localProviderVersion } from '../../src/terraform/terraform';

export class LocalStacks {
  private readonly accounts: SesAccounts;
  /** Terraform for every stack, with pooled providers (stopped by stop()). */
  private readonly terraform: TerraformCli;

  private constructor(
    readonly emulator: Emulator,
    readonly target: LocalTarget,
    readonly outdir: string,
    readonly env: NodeJS.ProcessEnv,
    public environments: readonly LoadedEnvironment[],
    private readonly ownsEmulator: boolean,
  ) {
    this.accounts = new SesAccounts(target.endpoint);
    this.terraform = new TerraformCli({ outdir, env, local: true });
  }

  /** Synthesizes the environments of `dir` against the given emulator, or a new one. */
  static async start(dir: string, running?: Emulator): Promise<LocalStacks> {
    const loaded = loadEnvironments(dir);
    if (loaded.problems.length > 0) throw new Error(JSON.stringify(loaded.problems, null, 2));
    const emulator = running ?? (await startEmulator());
    const target = localTarget(emulator.endpoint, localProviderVersion());
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-e2e-'));
    const stacks = new LocalStacks(
      emulator,
      target,
      outdir,
      terraformEnvironmentFor(true),
      loaded.environments,
      running === undefined,
    );
    stacks.synth(loaded.environments);
    await createLocalStateBuckets(
      target,
      loaded.environments.map(({ environment }) => environment),
    );
    return stacks;
  }

  /** Re-synthesizes (after an edit of the environments); stack folders and their .terraform stay. */
  synth(environments: readonly LoadedEnvironment[]): void {
    this.environments = environments;
    synthesize(resolveFleet(environments), this.outdir, { local: this.target, removeOrphans: false });
  }

  get stackNames(): string[] {
    return this.environments.flatMap(({ environment }) =>
      environment.regions.map((region) => `${environment.name}-${region}`),
    );
  }

  workspace(name: string): StackWorkspace {
    return this.terraform.workspace(name);
  }

  /** Runs `work` on every stack, as many at once as there are cores. */
  each<R>(work: (workspace: StackWorkspace) => Promise<R>): Promise<R[]> {
    return mapLimit(this.stackNames, defaultConcurrency(), (name) => work(this.workspace(name)));
  }

  ses(account: string, region: string): Promise<SESv2Client> {
    return this.accounts.ses(account, region);
  }

  setNames(account: string, region: string): Promise<string[]> {
    return this.accounts.setNames(account, region);
  }

  async exists(account: string, region: string, setName: string): Promise<boolean> {
    try {
      await (await this.ses(account, region)).send(new GetConfigurationSetCommand({ ConfigurationSetName: setName }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'NotFoundException') return false;
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.terraform.close();
    this.accounts.destroy();
    if (this.ownsEmulator) await this.emulator.stop();
    fs.rmSync(this.outdir, { recursive: true, force: true });
  }
}

/** SES v2 clients per account and region through AssumeRole, each made once. */
export class SesAccounts {
  private readonly clients = new Map<string, SESv2Client>();

  constructor(private readonly endpoint: string) {}

  /** An SES v2 client in `account` and `region`, with credentials from AssumeRole. */
  async ses(account: string, region = 'eu-west-1'): Promise<SESv2Client> {
    const key = `${account}/${region}`;
    const client = this.clients.get(key) ?? (await sesClientIn(this.endpoint, account, region));
    this.clients.set(key, client);
    return client;
  }

  /** The configuration set names that `account` holds in `region`. */
  async setNames(account: string, region = 'eu-west-1'): Promise<string[]> {
    const ses = await this.ses(account, region);
    return ((await ses.send(new ListConfigurationSetsCommand({}))).ConfigurationSets ?? []).sort();
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
  }
}

/** An SES v2 client in `account` through AssumeRole into its `ses-deploy` role, as the provider signs. */
export function sesClientIn(endpoint: string, account: string, region = 'eu-west-1'): Promise<SESv2Client> {
  return sesClientFor({
    roleArn: `arn:aws:iam::${account}:role/ses-deploy`,
    region,
    local: localTarget(endpoint, 'unused'),
  });
}
