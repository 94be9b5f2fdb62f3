/**
 * What a reviewer must see before approving a bootstrap, in words: the state bucket and how it is
 * protected, and each role with who may assume it and what it may do. Built from the same objects
 * the bootstrap stack is made of (accountRoles, the bucket's settings), so the review cannot say one
 * thing while the stack does another.
 */
import type { FleetStack } from '../fleet/fleet';
import { STATE_VERSION_RETENTION_DAYS } from './bootstrap-stack';
import { accountRoles } from './iam-roles';
import type { PolicyStatement } from './policy-document';

const list = (value: string | readonly string[] | undefined) => [value ?? []].flat().join(', ');

function statementLine(statement: PolicyStatement): string {
  const condition = statement.Condition ? ` when ${JSON.stringify(statement.Condition)}` : '';
  return `${statement.Sid ?? statement.Effect}: ${list(statement.Action)} on ${list(statement.Resource)}${condition}`;
}

/** The review of the bootstrap of `stacks` (one account), one line per fact. */
export function bootstrapReview(stacks: readonly FleetStack[]): string[] {
  const { stateBackend, accountId } = stacks[0].environment;
  const lines = [`account ${accountId}`];
  if (stateBackend.shared)
    lines.push(
      `  state bucket ${stateBackend.bucket}: shared by several accounts (stateBackend.shared), so not created here; its owner's bucket policy must grant the roles below their state keys`,
    );
  else
    lines.push(
      `  state bucket ${stateBackend.bucket} in ${stateBackend.region}: created, never destroyed by Terraform (prevent_destroy)`,
      `    encryption: AES-256 by default; versioning on; replaced state versions expire after ${STATE_VERSION_RETENTION_DAYS} days`,
      `    access: public access blocked (all four settings); a bucket policy denies every request not made over TLS`,
    );
  for (const role of accountRoles(stacks)) {
    lines.push(`  ${role.kind} role ${role.arn} (environments ${role.environments.join(', ')})`);
    const trust = role.trustPolicy?.Statement[0];
    lines.push(
      trust
        ? `    trusted: only ${role.trustedPrincipal}${trust.Condition ? ' with the external ID' : ''} may assume it`
        : `    trusted: nobody declared (${role.kind === 'deploy' ? 'deployRole' : 'planRole'}.trustedPrincipal): bootstrap refuses`,
    );
    for (const statement of role.policy.Statement) lines.push(`    may ${statementLine(statement)}`);
  }
  return lines;
}
