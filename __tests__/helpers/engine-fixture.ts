/**
 * End-to-end fixture for the engine's commands: an emulator (optionally with fault injection), a
 * folder of environment files, and `sesform` run in-process against them in local mode, with its
 * own synth and plan folders.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { GetConfigurationSetEventDestinationsCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { commandOptions, main } from '../../src/cli';
import { Emulator, startEmulator } from '../../src/emulator/emulator';
import type { RunReport, StackReport } from '../../src/report/run-report';
import { SesAccounts } from './local-stacks';

/** The emulator extension that makes SES v2 calls fail on demand (tests only). */
export const FAULT_INJECTION = path.join(__dirname, '..', 'e2e', 'emulator', 'fault_injection.py');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A rule for the emulator's fault injection (see the launcher). */
export interface FaultRule {
  readonly operation: string;
  readonly count: number;
  readonly status?: number;
  readonly code?: string;
  readonly latencyMs?: number;
  readonly account?: string;
}

export class EngineFixture {
  private readonly accounts: SesAccounts;

  private constructor(
    readonly emulator: Emulator,
    readonly root: string,
  ) {
    this.accounts = new SesAccounts(emulator.endpoint);
  }

  static async start(files: Record<string, string>, { faultInjection = false } = {}): Promise<EngineFixture> {
    const emulator = await startEmulator({ extensions: faultInjection ? [FAULT_INJECTION] : [] });
    const fixture = new EngineFixture(emulator, fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-engine-')));
    for (const [name, content] of Object.entries(files)) fixture.write(name, content);
    return fixture;
  }

  get environments(): string {
    return path.join(this.root, 'environments');
  }

  get outdir(): string {
    return path.join(this.root, 'cdktf.out');
  }

  get plans(): string {
    return path.join(this.root, 'plans');
  }

  write(name: string, content: string): void {
    fs.mkdirSync(this.environments, { recursive: true });
    fs.writeFileSync(path.join(this.environments, name), content);
  }

  remove(name: string): void {
    fs.rmSync(path.join(this.environments, name));
  }

  /** The arguments that point a command at this fixture's folders and emulator, those the command takes. */
  args(command: string, endpoint = this.emulator.endpoint, plans = this.plans): string[] {
    const takes = commandOptions(command);
    const pairs: [string, string | undefined][] = [
      ['environments', this.environments],
      ['output', this.outdir],
      ['plans', plans],
      ['local', undefined],
      ['endpoint', endpoint],
    ];
    return pairs
      .filter(([name]) => takes.includes(name))
      .flatMap(([name, value]) => (value === undefined ? [`--${name}`] : [`--${name}`, value]));
  }

  /** Runs `sesform <argv>` in-process against the fixture. */
  async run(
    argv: readonly string[],
    {
      endpoint = this.emulator.endpoint,
      prompt,
      plans,
    }: { endpoint?: string; prompt?: (question: string) => Promise<boolean>; plans?: string } = {},
  ): Promise<CliRun> {
    const [out, err] = [new PassThrough(), new PassThrough()];
    let [stdout, stderr] = ['', ''];
    out.on('data', (chunk) => (stdout += chunk));
    err.on('data', (chunk) => (stderr += chunk));
    const code = await main([...argv, ...this.args(argv[0], endpoint, plans)], out, err, prompt);
    return { code, stdout, stderr };
  }

  /** Runs a command with --json and returns its report. */
  async report(
    argv: readonly string[],
    options?: Parameters<EngineFixture['run']>[1],
  ): Promise<RunReport & { run: CliRun }> {
    const run = await this.run([...argv, '--json'], options);
    try {
      return { ...(JSON.parse(run.stdout) as RunReport), run };
    } catch {
      throw new Error(`not a JSON report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
  }

  ses(account: string, region = 'eu-west-1'): Promise<SESv2Client> {
    return this.accounts.ses(account, region);
  }

  setNames(account: string, region = 'eu-west-1'): Promise<string[]> {
    return this.accounts.setNames(account, region);
  }

  /** The destinations of a set, by name, with their event types. */
  async destinations(account: string, set: string, region = 'eu-west-1'): Promise<Record<string, string[]>> {
    const ses = await this.ses(account, region);
    const { EventDestinations = [] } = await ses.send(
      new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: set }),
    );
    return Object.fromEntries(
      EventDestinations.map((destination) => [destination.Name!, [...(destination.MatchingEventTypes ?? [])].sort()]),
    );
  }

  private async control(method: string, route: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.emulator.endpoint}/_sesform/${route}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`fault injection ${method} ${route}: ${response.status}`);
    return response.json();
  }

  inject(rule: FaultRule): Promise<unknown> {
    return this.control('POST', 'faults', rule);
  }

  clearFaults(): Promise<unknown> {
    return this.control('DELETE', 'faults');
  }

  async calls(): Promise<Record<string, number>> {
    return (await this.control('GET', 'calls')) as Record<string, number>;
  }

  async stop(): Promise<void> {
    this.accounts.destroy();
    await this.emulator.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The report's entry for a stack. */
export function stackIn(report: RunReport, stack: string): StackReport {
  const found = report.stacks.find((candidate) => candidate.stack === stack);
  if (found === undefined)
    throw new Error(`no stack ${stack} in the report: ${report.stacks.map((s) => s.stack).join(', ')}`);
  return found;
}
