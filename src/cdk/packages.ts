/**
 * The names of the CDK packages sesform builds on, and the AWS provider version their bindings were
 * generated from. Read without loading the CDK itself (plan, apply and doctor need the version only).
 * Switching to CDK Terrain changes the names here, in cdk-core.ts and aws-provider.ts, and package.json.
 */
import * as fs from 'node:fs';
import { z } from 'zod';

export const CDK_PACKAGE = 'cdktf';
export const AWS_PROVIDER_PACKAGE = '@cdktf/provider-aws';
/** The stock CLI (`cdktf synth`, `cdktf plan <stack>`, `cdktf deploy`): its package and its command. */
export const STOCK_CLI = { package: 'cdktf-cli', command: 'cdktf' } as const;

/** What the bindings' package.json says of the provider they were generated from. */
const BindingsPackage = z.object({ cdktf: z.object({ provider: z.object({ version: z.string().min(1) }) }) });

/** The AWS provider version the bindings pin in every stack on AWS. */
export const BINDINGS_AWS_PROVIDER_VERSION: string = BindingsPackage.parse(
  JSON.parse(fs.readFileSync(require.resolve(`${AWS_PROVIDER_PACKAGE}/package.json`), 'utf8')),
).cdktf.provider.version;
