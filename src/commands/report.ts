import type { Command } from './command';
import { engineModule } from './run-engine';

export const report: Command = {
  name: 'report',
  summary: 'print a JSON report again; --merge combines the reports of several shards into one',
  options: ['merge', 'json', 'markdown', 'html'],
  args: 'FILE...',
  check({ args, options }) {
    if (args.length === 0) return ['report needs the JSON report to read: sesform report FILE, or --merge FILE...'];
    if (args.length > 1 && !options.merge)
      return [`report got ${args.length} reports: combine them with --merge, or give one to print it again.`];
    return [];
  },
  run: ({ args, options, out }) =>
    engineModule().reportCommand(args, { json: options.json, markdown: options.markdown, html: options.html, out }),
};
