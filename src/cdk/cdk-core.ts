/**
 * The one place sesform imports the CDK for Terraform core from. cdktf 0.21.0 is its last release
 * (deprecated 2025-12-10); its drop-in successor CDK Terrain keeps these symbols under the package name
 * `cdktn`, so switching is this file and package.json (scripts/cdktn-check.sh tries it on every CI run;
 * docs/cdk-terrain.md). The two deep imports are the ones the package root does not export.
 */
export { App, LocalBackend, S3Backend, TerraformResource, TerraformStack, Testing } from 'cdktf';
// The logical IDs cdktf gives constructs (fleet/resource-types.ts predicts resource addresses with it).
export { makeUniqueId } from 'cdktf/lib/private/unique';
// An object dependsOn accepts for a resource built in another construct.
export { dependable } from 'cdktf/lib/tfExpression';
