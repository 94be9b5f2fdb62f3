/**
 * The real TerraformRunner: the terraform binary in each stack folder of a cdktf output folder, with
 * one run's processes, its pool of AWS provider processes and its shared provider installations.
 */
import * as path from 'node:path';
import { InitTemplates } from './init-templates';
import { ProviderPool } from './provider-server';
import { StackWorkspace } from './stack-workspace';
import { TerraformProcesses } from './terraform';
import type { TerraformRunner } from './runner';

export interface TerraformCliOptions {
  /** The cdktf output folder: stack `name` is in `stacks/<name>`. */
  readonly outdir: string;
  /** The environment of every terraform process (terraformEnvironmentFor). */
  readonly env: NodeJS.ProcessEnv;
  /** Local mode: init reconfigures, since each emulator has a new address and fresh state. */
  readonly local?: boolean;
  /** One provider process per worker for the whole run; off for single commands (unlock, bootstrap). */
  readonly pooled?: boolean;
  /**
   * false for runs through the read-only plan roles: their plans take no state lock (`-lock=false`;
   * a plan writes no state), since those roles may not write the lock file.
   */
  readonly lock?: boolean;
  /** Lines about the pool (unavailable, single use). */
  readonly progress?: (line: string) => void;
}

export class TerraformCli implements TerraformRunner {
  readonly processes = new TerraformProcesses();
  private readonly providers?: ProviderPool;
  /** The provider installation of the first initialized stack, for the next fresh ones. */
  private readonly templates = new InitTemplates();

  constructor(private readonly options: TerraformCliOptions) {
    if (options.pooled !== false) this.providers = new ProviderPool({ progress: options.progress });
  }

  workspace(stack: string): StackWorkspace {
    return new StackWorkspace(stack, path.join(this.options.outdir, 'stacks', stack), this.options.env, {
      processes: this.processes,
      providers: this.providers,
      templates: this.templates,
      reconfigure: this.options.local === true,
      lock: this.options.lock !== false,
    });
  }

  interrupt(signal: NodeJS.Signals): Promise<void> {
    return this.processes.interrupt(signal);
  }

  async close(): Promise<string[]> {
    const lines: string[] = [];
    if (this.providers !== undefined) {
      const { started, served } = this.providers;
      await this.providers.close();
      const replayed = this.providers.schemasReplayed;
      const cache = replayed > 0 ? `; ${replayed} schema request(s) answered from the pool's cache` : '';
      if (started > 0)
        lines.push(`AWS provider: ${started} process(es) served ${served} stack step group(s) (reattached)${cache}`);
    }
    if (this.templates.seeded > 0)
      lines.push(
        `init: ${this.templates.seeded} stack folder(s) seeded with the provider installation of an earlier one`,
      );
    return lines;
  }
}
