/**
 * Switching from cdktf to CDK Terrain (cdktn) is a change of src/cdk/ and package.json only
 * (scripts/cdktn-check.sh does it to a copy on every CI run): no other file may import the CDK or the
 * provider bindings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AWS_PROVIDER_PACKAGE, CDK_PACKAGE } from '../../src/cdk/packages';
import { PROJECT_ROOT } from '../helpers/synth';

const SEAM = 'src/cdk/';
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'cdktf.out', '.git', '.sesform', '.gen', 'bench/out']);
const escaped = (name: string) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
// An import or require of either package or of a path inside it ('cdktf', 'cdktf/lib/...', '@cdktf/provider-aws/lib/...').
const CDK_IMPORT = new RegExp(
  `(?:from\\s+|require\\(\\s*|import\\(\\s*|import\\s+)['"]((?:${escaped(CDK_PACKAGE)}|${escaped(AWS_PROVIDER_PACKAGE)})(?:/[^'"]*)?)['"]`,
  'g',
);

function sourceFiles(folder: string, found: string[] = []): string[] {
  for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, folder), { withFileTypes: true })) {
    const relative = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !SKIPPED_FOLDERS.has(relative)) sourceFiles(relative, found);
    } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) found.push(relative);
  }
  return found;
}

describe('the CDK seam', () => {
  test(`only src/cdk/ imports ${CDK_PACKAGE} and ${AWS_PROVIDER_PACKAGE}`, () => {
    const outside = sourceFiles('')
      .filter((file) => !file.startsWith(SEAM))
      .flatMap((file) =>
        [...fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8').matchAll(CDK_IMPORT)].map(
          (match) => `${file}: ${match[1]}`,
        ),
      );
    expect(outside).toEqual([]);
  });

  test('the seam itself imports them (the pattern above would see an import)', () => {
    const inside = fs
      .readdirSync(path.join(PROJECT_ROOT, SEAM))
      .flatMap((file) => [...fs.readFileSync(path.join(PROJECT_ROOT, SEAM, file), 'utf8').matchAll(CDK_IMPORT)]);
    expect(new Set(inside.map((match) => match[1].split('/lib/')[0]))).toEqual(
      new Set([CDK_PACKAGE, AWS_PROVIDER_PACKAGE]),
    );
  });
});
