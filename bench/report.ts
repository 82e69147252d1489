import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * Each benchmark writes its own section of docs/benchmarks.md between markers, so that running one
 * benchmark never erases another's figures. Every section states the command that produced it.
 */
const FILE = new URL('../docs/benchmarks.md', import.meta.url);

const HEADER = `# Benchmarks / 性能基准

Produced by \`npm run bench\` (each section names its own command). Every goal is a ratio against a
baseline measured in the same run on the same machine, never an absolute timing in a unit test.
由 \`npm run bench\` 生成；每个目标都是与同一次运行中测得的基线之比。
`;

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `Machine: ${cpus().length} × ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`;
}

export function writeSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, text);
}

/** A markdown table from rows of cells. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
