// The project's own documentation (README.md and docs/): the README starts with the two commands
// and links into docs/, every link stays inside the repository and lands on a file and heading
// that exist (the running ledger on 127.0.0.1 aside).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const docsDir = path.join(root, 'docs');
const files = ['README.md', ...(existsSync(docsDir) ? readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [])];

/** Markdown without code blocks and inline code (a link there is an example, not a link). */
const prose = (text: string): string => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchor of a heading. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\- ]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (file: string): Set<string> =>
  new Set([...readFileSync(path.join(root, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

function linksOf(file: string): string[] {
  const text = prose(readFileSync(path.join(root, file), 'utf8'));
  return [...[...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!), ...[...text.matchAll(/<(https?:\/\/[^>\s]+)>/g)].map((m) => m[1]!)];
}

describe('the documentation', () => {
  it('README starts with the two commands, stays short and links every file of docs/', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
    expect(firstBlock).toMatch(/^npm install && npm start/m);
    expect(firstBlock).toMatch(/^npm test/m);
    expect(readme.split('\n').length).toBeLessThan(120);
    const linked = new Set(linksOf('README.md').map((l) => l.split('#')[0]));
    for (const file of files.filter((f) => f.startsWith('docs/'))) expect(linked, `README links ${file}`).toContain(file);
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s links only inside the repository, to files and headings that exist', (file) => {
    for (const href of linksOf(file)) {
      if (/^https?:/.test(href)) {
        expect(href, `${file}: ${href} points outside the repository`).toMatch(/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//);
        continue;
      }
      const [target, anchor] = href.split('#') as [string, string | undefined];
      const resolved = target === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), decodeURI(target));
      expect(path.relative(root, resolved).startsWith('..'), `${file}: ${href} leaves the repository`).toBe(false);
      expect(existsSync(resolved), `${file}: ${href} names no file`).toBe(true);
      if (anchor && resolved.endsWith('.md')) expect([...anchorsOf(path.relative(root, resolved))], `${file}: ${href} names no heading`).toContain(anchor);
    }
  });
});
