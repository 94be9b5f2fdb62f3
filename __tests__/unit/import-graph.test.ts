/**
 * The code's layers: no import cycle between files, nor between folders, in src/ and modules/. Type
 * imports count (they couple as much as values do), and so do the modules a command loads on demand.
 * Files directly in src/ (the entry points and the few shared settings) count each as its own node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { PROJECT_ROOT } from '../helpers/synth';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const FILES = [...sources(path.join(PROJECT_ROOT, 'src')), ...sources(path.join(PROJECT_ROOT, 'modules'))];

/** Relative imports that name no file: a module moved without its importers, found before it runs. */
const unresolved: string[] = [];

/** The project files one file imports: import/export ... from, import(), require(), and onDemand('...'). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [
    ...ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName),
    ...[...text.matchAll(/onDemand<[^>]*>\('([^']+)'\)/g)].map((match) => match[1]),
  ];
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .flatMap((specifier) => {
      const target = path.resolve(path.dirname(file), specifier);
      const found = [`${target}.ts`, path.join(target, 'index.ts'), target].filter(
        (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
      );
      if (found.length === 0) unresolved.push(`${path.relative(PROJECT_ROOT, file)}: ${specifier}`);
      return found.slice(0, 1).filter((candidate) => candidate.endsWith('.ts'));
    });
}

const SRC = path.join(PROJECT_ROOT, 'src');
const nodeOf = (file: string) => (path.dirname(file) === SRC ? file : path.dirname(file));
const label = (node: string) => path.relative(PROJECT_ROOT, node);

/** The strongly connected components with more than one node (Tarjan): each is a cycle. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexes.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexes.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indexes.get(next)!));
    }
    if (low.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.map(label).sort());
    }
  };
  for (const node of edges.keys()) if (!indexes.has(node)) visit(node);
  return found;
}

const fileEdges = new Map(FILES.map((file) => [file, new Set(importsOf(file))]));

test('the graph is read: files import each other through every kind of import', () => {
  const cli = fileEdges.get(path.join(SRC, 'cli.ts'))!;
  expect([...cli].map(label)).toContain('src/commands/index.ts');
  // A command's on-demand module counts too.
  expect([...fileEdges.get(path.join(SRC, 'commands', 'doctor.ts'))!].map(label)).toContain('src/doctor.ts');
});

test('every relative import names a file (on-demand modules included)', () => {
  expect(unresolved).toEqual([]);
});

test('no file imports itself through others', () => {
  expect(cycles(fileEdges)).toEqual([]);
});

test('no folder imports itself through others', () => {
  const folderEdges = new Map<string, Set<string>>();
  for (const [file, targets] of fileEdges)
    for (const target of targets) {
      const [from, to] = [nodeOf(file), nodeOf(target)];
      if (from === to) continue;
      if (!folderEdges.has(from)) folderEdges.set(from, new Set());
      folderEdges.get(from)!.add(to);
    }
  expect(cycles(folderEdges)).toEqual([]);
});
