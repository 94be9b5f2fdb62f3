/**
 * `sesform bootstrap`: synthesizes an account's bootstrap stack and plans it; with `--auto-approve`
 * applies it. Its state stays on this machine (`.sesform/bootstrap/`), since the bucket it creates is
 * the one every other stack keeps its state in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from '../cdk/cdk-core';
import type { FleetStack } from '../fleet/fleet';
import { EXIT } from '../exit-codes';
import { LocalTarget, terraformEnvironmentFor } from '../local/local-target';
import { TerraformCli } from '../terraform/terraform-cli';
import { WORK_PATHS } from '../config';
import { SesBootstrapStack } from './bootstrap-stack';
import { bootstrapReview } from './bootstrap-review';

export interface BootstrapOptions {
  /** The fleet's stacks of the environments to bootstrap (one account). */
  readonly stacks: readonly FleetStack[];
  readonly adminRoleArn?: string;
  readonly local?: LocalTarget;
  readonly autoApprove: boolean;
  readonly out: NodeJS.WritableStream;
  /** @default .sesform/bootstrap (.sesform/local-bootstrap in local mode) */
  readonly workDir?: string;
}

/** In the emulator, admin work in an account goes through a role in it, which is how the emulator routes accounts. */
export function defaultLocalAdminRole(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`;
}

/** Resolves to the exit code: 0 applied or nothing to do, 2 changes planned but not applied. */
export async function bootstrap(options: BootstrapOptions): Promise<number> {
  const { stacks, local, out } = options;
  // Local bootstrap state may outlive its emulator; Terraform's refresh then plans the missing resources again.
  const workDir = path.resolve(options.workDir ?? (local ? WORK_PATHS.localBootstrap : WORK_PATHS.bootstrap));
  const accountId = stacks[0].accountId;
  const adminRoleArn = options.adminRoleArn ?? (local ? defaultLocalAdminRole(accountId) : undefined);
  const outdir = path.join(workDir, 'cdktf.out');
  fs.mkdirSync(workDir, { recursive: true });
  const app = new App({ outdir });
  const stack = new SesBootstrapStack(app, {
    stacks,
    stateFile: path.join(workDir, `${SesBootstrapStack.stackName(accountId)}.tfstate`),
    adminRoleArn,
    local,
  });
  app.synth();
  const workspace = new TerraformCli({
    outdir,
    env: terraformEnvironmentFor(local !== undefined),
    local: local !== undefined,
    pooled: false,
  }).workspace(stack.node.id);
  await workspace.initIfNeeded();
  // One provider process for the plan and the apply.
  return workspace.sharingProvider(async (attached) => {
    const plan = await attached.plan('tfplan');
    out.write(`${stack.node.id}: ${plan.text}\n`);
    if (!plan.changes) return EXIT.ok;
    // What the reviewer approves: the bucket and its protection, each role's trust and permissions.
    out.write(`${bootstrapReview(stacks).join('\n')}\n`);
    out.write(
      `Terraform's resources:\n${plan.output
        .split('\n')
        .filter((line) => /^\s+# \S+ will be/.test(line))
        .map((line) => `  ${line.trim()}`)
        .join('\n')}\n`,
    );
    if (!options.autoApprove) {
      out.write(`Review the above, then run again with --auto-approve to create the state bucket and the roles.\n`);
      return EXIT.changes;
    }
    out.write(`${stack.node.id}: ${await attached.apply('tfplan')}\n`);
    return EXIT.ok;
  });
}
