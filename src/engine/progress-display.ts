/**
 * Progress while a run works, of every stack and step (init, plan, apply, verify) with its elapsed
 * time: on a terminal a live table (cli-progress draws it: one row per stack, redrawn four times a
 * second), elsewhere (CI logs, pipes) one line per stack and step as it starts and ends. Free-form
 * lines (waves, retries) go above the table or into the log alike.
 */
import type { MultiBar, SingleBar } from 'cli-progress';
import { formatSeconds as seconds } from '../format';

export type StepState = 'started' | 'finished' | 'failed';

export interface StepEvent {
  readonly stack: string;
  /** init, plan (with its show), apply, verify. */
  readonly step: string;
  readonly state: StepState;
  /** For finished and failed: how long the step took. */
  readonly seconds?: number;
}

export interface ProgressDisplay {
  /** A free-form line (a wave starts, a retry, a note). */
  line(text: string): void;
  step(event: StepEvent): void;
  /** Draws the last frame and leaves the terminal as it was. */
  stop(): void;
}

/** One line per event: what a CI log keeps. */
export function lineDisplay(write: (text: string) => void): ProgressDisplay {
  return {
    line: (text) => write(`${text}\n`),
    step: ({ stack, step, state, seconds: took }) =>
      write(
        state === 'started'
          ? `${stack}: ${step}...\n`
          : `${stack}: ${step} ${state === 'finished' ? 'done' : 'FAILED'} after ${seconds(took ?? 0)}\n`,
      ),
    stop: () => undefined,
  };
}

/** A stack's row: its step now (or the last one and how it ended) and the time in it. */
export function rowText(
  stack: string,
  width: number,
  row: { step: string; state: StepState; since: number; took?: number },
  now: number,
): string {
  const time = row.state === 'started' ? seconds((now - row.since) / 1000) : seconds(row.took ?? 0);
  const status =
    row.state === 'started' ? `${row.step}...` : `${row.step} ${row.state === 'finished' ? 'done' : 'FAILED'}`;
  return `${stack.padEnd(width)}  ${status.padEnd(16)} ${time}`;
}

/** The live table on a terminal. */
export function liveDisplay(stream: NodeJS.WriteStream, stacks: readonly string[]): ProgressDisplay {
  // Loaded only for a terminal: CI and tests never draw.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MultiBar: Bars } = require('cli-progress') as typeof import('cli-progress');
  const width = Math.max(...stacks.map((name) => name.length), 5);
  const rows = new Map<string, { step: string; state: StepState; since: number; took?: number }>();
  const bars: MultiBar = new Bars({
    stream,
    fps: 4,
    hideCursor: true,
    clearOnComplete: false,
    forceRedraw: true,
    format: (_options, _params, payload: { stack: string }) => {
      const row = rows.get(payload.stack);
      return row === undefined
        ? `${payload.stack.padEnd(width)}  waiting`
        : rowText(payload.stack, width, row, Date.now());
    },
  });
  const bar = new Map<string, SingleBar>(stacks.map((stack) => [stack, bars.create(1, 0, { stack })]));
  return {
    line: (text) => bars.log(`${text}\n`),
    step: (event) => {
      const earlier = rows.get(event.stack);
      rows.set(event.stack, {
        step: event.step,
        state: event.state,
        since: event.state === 'started' ? Date.now() : (earlier?.since ?? Date.now()),
        ...(event.seconds === undefined ? {} : { took: event.seconds }),
      });
      bar.get(event.stack)?.update(0, { stack: event.stack });
    },
    stop: () => bars.stop(),
  };
}

/** Live on a terminal (not in CI), lines otherwise. */
export function progressDisplay(stream: NodeJS.WritableStream, stacks: readonly string[]): ProgressDisplay {
  const terminal = stream as NodeJS.WriteStream;
  if (terminal.isTTY === true && !process.env.CI && stacks.length > 0) return liveDisplay(terminal, stacks);
  return lineDisplay((text) => stream.write(text));
}
