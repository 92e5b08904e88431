/**
 * The shell commands a Markdown document shows: its bash blocks (continued lines joined, comments dropped) and
 * its inline code that starts like a command. For the docs tests, which check each against what it names.
 */
export interface DocCommand {
  readonly doc: string;
  readonly line: number;
  readonly text: string;
}

const COMMAND_START =
  /^(walake |npx walake |aws |npx cdk |npm run |npm ci|[A-Z_]+=\S* (npx )?walake |[A-Z_]+=\$\(|out\(\) )/;

/** Drops a `# comment` that is not inside quotes. */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return line.slice(0, i).trimEnd();
  }
  return line;
}

export function commandsOf(doc: string, text: string): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = text.split('\n');
  let fence: string | undefined;
  let pending: { line: number; text: string } | undefined;
  for (const [i, raw] of lines.entries()) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('```')) {
      fence = fence === undefined ? trimmed.slice(3) || 'text' : undefined;
      continue;
    }
    if (fence === 'bash') {
      const line = withoutComment(trimmed);
      if (line === '' && !pending) continue;
      const joined = pending ? `${pending.text} ${line}` : line;
      if (joined.endsWith('\\')) {
        pending = { line: pending?.line ?? i + 1, text: joined.slice(0, -1).trimEnd() };
        continue;
      }
      commands.push({ doc, line: pending?.line ?? i + 1, text: joined });
      pending = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    for (const match of raw.matchAll(/`([^`]+)`/g)) {
      const code = (match[1] ?? '').trim();
      if (COMMAND_START.test(code)) commands.push({ doc, line: i + 1, text: code });
    }
  }
  return commands;
}

/**
 * Splits a command line as a shell would, far enough for these docs: quotes kept off the words, `$(…)` one word,
 * `|` a word of its own.
 */
export function words(command: string): string[] {
  const out: string[] = [];
  let word = '';
  let started = false;
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] ?? '';
    if (depth > 0) {
      word += c;
      if (c === '(') depth++;
      if (c === ')') depth--;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === '$' && command[i + 1] === '(') {
      word += c;
      started = true;
      depth = 0;
      word += '(';
      i++;
      depth = 1;
    } else if (/\s/.test(c)) {
      if (started) out.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) out.push(word);
  return out;
}
