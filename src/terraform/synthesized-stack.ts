/**
 * A synthesized stack (`<outdir>/stacks/<name>/cdk.tf.json`) as every part of sesform reads it: read
 * and parsed once per version of the file, with the hashes each part needs computed here: the
 * configuration's (a saved plan belongs to it), the role-free review hash (a reviewed plan belongs to
 * it), what `terraform init` depends on, and the provider requirements (shared plugin sets).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

export const STACK_FILE = 'cdk.tf.json';

/** The parts sesform reads; everything else is Terraform's. */
const StackConfigSchema = z.looseObject({
  provider: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
  terraform: z
    .looseObject({
      backend: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      required_providers: z.unknown().optional(),
    })
    .optional(),
});

type StackConfig = z.output<typeof StackConfigSchema>;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export class SynthesizedStack {
  private static readonly cache = new Map<string, { stamp: string; stack: SynthesizedStack }>();

  /** The stack in `dir`, parsed once per version of its file; throws naming the file when it is not a stack. */
  static read(dir: string): SynthesizedStack {
    const file = path.join(dir, STACK_FILE);
    const stat = fs.statSync(file);
    const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    const cached = SynthesizedStack.cache.get(file);
    if (cached?.stamp === stamp) return cached.stack;
    const bytes = fs.readFileSync(file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new Error(`${file}: not JSON (${(error as Error).message}); synthesize the stack again.`);
    }
    const result = StackConfigSchema.safeParse(parsed);
    if (!result.success)
      throw new Error(`${file}: not a synthesized stack (${result.error.issues[0]?.path.join('.') || 'the file'}).`);
    const stack = new SynthesizedStack(dir, bytes, result.data);
    SynthesizedStack.cache.set(file, { stamp, stack });
    return stack;
  }

  private constructor(
    readonly dir: string,
    private readonly bytes: Buffer,
    private readonly config: StackConfig,
  ) {}

  /** The SHA-256 of the configuration as written: a saved plan was made from exactly this. */
  get configHash(): string {
    return sha256(this.bytes);
  }

  /** The hash of the configuration without the role its provider and backend assume. */
  get reviewHash(): string {
    const copy = JSON.parse(this.bytes.toString('utf8')) as StackConfig;
    // The plan role (pull request) and the deploy role (merge) differ; nothing else may.
    for (const provider of copy.provider?.aws ?? []) delete provider.assume_role;
    for (const backend of Object.values(copy.terraform?.backend ?? {})) delete backend.assume_role;
    return sha256(JSON.stringify(copy));
  }

  /** The backend and provider requirements: what `terraform init` depends on. */
  get initInputs(): string {
    return sha256(JSON.stringify(this.config.terraform ?? {}));
  }

  /** The provider requirements (sources and versions): what a stack's plugin set depends on. */
  get providerRequirements(): string {
    return sha256(JSON.stringify(this.config.terraform?.required_providers ?? {}));
  }

  /** The AWS provider's source and version constraint, as required_providers gives them (`aws` is hashicorp/aws). */
  get awsProviderRequirement(): { source?: string; version?: string } | undefined {
    const required = this.config.terraform?.required_providers as
      Record<string, { source?: unknown; version?: unknown }> | undefined;
    const aws = required?.aws;
    if (
      aws === undefined ||
      (aws.source !== undefined && !/^((registry\.terraform\.io\/)?hashicorp\/)?aws$/.test(String(aws.source)))
    )
      return undefined;
    return {
      ...(typeof aws.source === 'string' ? { source: aws.source } : {}),
      ...(typeof aws.version === 'string' ? { version: aws.version } : {}),
    };
  }

  /** Exactly one provider block, and it is AWS's: what a pooled provider process can serve. */
  get singleAwsProvider(): boolean {
    return Object.keys(this.config.provider ?? {}).join() === 'aws' && this.config.provider?.aws.length === 1;
  }

  /** The provider block names a custom CA bundle. */
  get customCaBundle(): boolean {
    return (this.config.provider?.aws ?? []).some((block) => block.custom_ca_bundle !== undefined);
  }
}
