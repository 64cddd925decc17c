// A structural checker for Grafana Alloy configuration. No parser for the
// Alloy syntax is published outside Go, so this is a small scanner and
// recursive-descent parser that follows the upstream grammar
// (grafana/alloy syntax/scanner and syntax/parser): Go-style automatic
// terminators after identifiers, literals and closing brackets, so a list
// element followed by a newline needs a comma. On top of the syntax it checks
// what `alloy run` would reject before any component starts: block labels
// that are not identifiers, two components with the same name and label, and
// references to components that are not declared.

export interface AlloyProblem {
  line: number;
  message: string;
}

type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'terminator' | 'eof' | 'invalid';

interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  /** For strings: true when written with double quotes (block labels must be). */
  quoted?: boolean;
}

class AlloySyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_NESTING = 200;
const PUNCT_TWO = new Set(['==', '!=', '<=', '>=', '&&', '||']);
const PUNCT_ONE = new Set(['{', '}', '[', ']', '(', ')', ',', '.', '=', '<', '>', '+', '-', '*', '/', '%', '^', '!']);
/** Tokens after which a newline ends the statement (as in the Go scanner). */
const ENDS_OPERAND = new Set([')', ']', '}']);
const SIMPLE_ESCAPES = new Set(['a', 'b', 'f', 'n', 'r', 't', 'v', '\\', '"', "'"]);
const isLetter = (c: string) => /[\p{L}_]/u.test(c);
const isIdentPart = (c: string) => /[\p{L}\p{N}_]/u.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/**
 * The tokens of the text. A lexical error ends the stream with an `invalid`
 * token, so the parser reports whichever error comes first in the file.
 */
function scan(text: string): Token[] {
  const tokens: Token[] = [];
  try {
    scanInto(text, tokens);
  } catch (error) {
    if (!(error instanceof AlloySyntaxError)) throw error;
    tokens.push({ kind: 'invalid', text: error.message, line: error.line });
  }
  return tokens;
}

function scanInto(text: string, tokens: Token[]): void {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let insertTerminator = false;
  const push = (kind: TokenKind, tokenText: string, tokenLine: number, endsOperand: boolean, quoted?: boolean) => {
    tokens.push({ kind, text: tokenText, line: tokenLine, quoted });
    insertTerminator = endsOperand;
  };

  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      if (insertTerminator) push('terminator', '\n', line, false);
      line += 1;
      i += 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i += 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new AlloySyntaxError(line, 'block comment not terminated');
      const body = text.slice(i, end + 2);
      const newlines = body.split('\n').length - 1;
      if (newlines > 0 && insertTerminator) push('terminator', '\n', line, false);
      line += newlines;
      i = end + 2;
      continue;
    }
    if (isLetter(c)) {
      let j = i + 1;
      while (j < text.length && isIdentPart(text[j])) j += 1;
      push('ident', text.slice(i, j), line, true);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      const match = /^(\d*\.?\d*)([eE][+-]?\d*)?/.exec(text.slice(i))!;
      if (match[2] !== undefined && !/\d$/.test(match[2])) throw new AlloySyntaxError(line, 'exponent has no digits');
      push('number', match[0], line, true);
      i += match[0].length;
      continue;
    }
    if (c === '"') {
      const start = line;
      let j = i + 1;
      for (;;) {
        const ch = text[j];
        if (ch === undefined || ch === '\n') throw new AlloySyntaxError(start, 'string literal not terminated');
        if (ch === '"') break;
        if (ch === '\\') j = checkEscape(text, j + 1, start);
        else j += 1;
      }
      push('string', text.slice(i + 1, j), start, true, true);
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const start = line;
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new AlloySyntaxError(start, 'raw string literal not terminated');
      const body = text.slice(i + 1, end);
      push('string', body, start, true, false);
      line += body.split('\n').length - 1;
      i = end + 1;
      continue;
    }
    if (c === "'") throw new AlloySyntaxError(line, 'illegal single-quoted string; use double quotes');
    const two = text.slice(i, i + 2);
    if (PUNCT_TWO.has(two)) {
      push('punct', two, line, false);
      i += 2;
      continue;
    }
    if (PUNCT_ONE.has(c)) {
      push('punct', c, line, ENDS_OPERAND.has(c));
      i += 1;
      continue;
    }
    throw new AlloySyntaxError(line, `illegal character ${JSON.stringify(c)}`);
  }
  if (insertTerminator) tokens.push({ kind: 'terminator', text: '\n', line });
  tokens.push({ kind: 'eof', text: '', line });
}

/** Checks the escape sequence starting after a backslash; returns the index after it. */
function checkEscape(text: string, at: number, line: number): number {
  const c = text[at];
  if (c === undefined) throw new AlloySyntaxError(line, 'escape sequence not terminated');
  if (SIMPLE_ESCAPES.has(c)) return at + 1;
  const hexDigits: Record<string, number> = { x: 2, u: 4, U: 8 };
  if (c in hexDigits) {
    const digits = text.slice(at + 1, at + 1 + hexDigits[c]);
    if (!new RegExp(`^[0-9a-fA-F]{${hexDigits[c]}}$`).test(digits))
      throw new AlloySyntaxError(line, `invalid \\${c} escape sequence`);
    return at + 1 + hexDigits[c];
  }
  if (/[0-7]/.test(c)) {
    if (!/^[0-7]{3}$/.test(text.slice(at, at + 3))) throw new AlloySyntaxError(line, 'invalid octal escape sequence');
    return at + 3;
  }
  throw new AlloySyntaxError(line, `unknown escape sequence \\${c}`);
}

interface Block {
  name: string[];
  label?: string;
  line: number;
  /** The statements of a block body; blocks only (attributes are checked while parsing). */
  blocks: Block[];
  /** Attribute name -> the string it was set to, when it is a plain string. */
  stringAttributes: Map<string, string>;
}

interface Reference {
  path: string[];
  line: number;
  call: boolean;
}

/** Parses the token stream; collects blocks and the dotted references used in expressions. */
class Parser {
  private pos = 0;
  private depth = 0;
  readonly references: Reference[] = [];

  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token {
    const t = this.tokens[this.pos];
    if (t.kind === 'invalid') throw new AlloySyntaxError(t.line, t.text);
    return t;
  }

  private next(): Token {
    const t = this.tok;
    if (this.pos < this.tokens.length - 1) this.pos += 1;
    return t;
  }

  private is(text: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === text;
  }

  private fail(message: string, line = this.tok.line): never {
    throw new AlloySyntaxError(line, message);
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of file';
    if (t.kind === 'terminator') return 'newline';
    if (t.kind === 'string') return `string "${t.text}"`;
    return `"${t.text}"`;
  }

  parseFile(): Block[] {
    return this.parseBody(undefined);
  }

  /** Body = [ Statement { terminator Statement } ], ended by '}' (inside a block) or EOF. */
  private parseBody(opened: Block | undefined): Block[] {
    const blocks: Block[] = [];
    const attributes = opened?.stringAttributes;
    for (;;) {
      if (this.tok.kind === 'eof') {
        if (opened) this.fail(`missing '}' for block ${blockTitle(opened)} opened on line ${opened.line}`);
        return blocks;
      }
      if (opened && this.is('}')) return blocks;
      const statement = this.parseStatement();
      if (statement.block) blocks.push(statement.block);
      else if (attributes && statement.attribute) {
        const { name, value } = statement.attribute;
        if (attributes.has(name)) this.fail(`attribute "${name}" is set twice`, statement.line);
        attributes.set(name, value ?? '');
      }
      if (opened && this.is('}')) return blocks;
      if (this.tok.kind !== 'terminator')
        this.fail(`expected a newline after the statement, got ${this.describe(this.tok)}`);
      this.next();
    }
  }

  private parseStatement(): { line: number; block?: Block; attribute?: { name: string; value?: string } } {
    const start = this.tok;
    if (start.kind !== 'ident') this.fail(`expected a block or attribute name, got ${this.describe(start)}`);
    const name = [this.next().text];
    while (this.is('.')) {
      this.next();
      if (this.tok.kind !== 'ident') this.fail(`expected an identifier after ".", got ${this.describe(this.tok)}`);
      name.push(this.next().text);
    }
    let label: string | undefined;
    if (this.tok.kind === 'string') {
      const labelToken = this.next();
      if (!labelToken.quoted) this.fail('a block label must be a double-quoted string', labelToken.line);
      if (!isValidIdentifier(labelToken.text)) {
        this.fail(
          `block label "${labelToken.text}" is not a valid identifier (letters, digits and _, not starting with a digit)`,
          labelToken.line,
        );
      }
      label = labelToken.text;
    }
    if (this.is('=')) {
      if (name.length > 1) this.fail(`attribute name "${name.join('.')}" must be a single identifier`, start.line);
      if (label !== undefined) this.fail('an attribute cannot have a label', start.line);
      this.next();
      const valueToken = this.tok;
      this.parseExpression();
      const plainString =
        valueToken.kind === 'string' && (this.tok.kind === 'terminator' || this.is('}') || this.tok.kind === 'eof');
      return { line: start.line, attribute: { name: name[0], value: plainString ? valueToken.text : undefined } };
    }
    if (this.is('{')) {
      this.next();
      const block: Block = { name, label, line: start.line, blocks: [], stringAttributes: new Map() };
      this.nested(() => {
        block.blocks = this.parseBody(block);
      });
      this.next(); // '}'
      return { line: start.line, block };
    }
    return this.fail(
      `expected "=" or "{" after ${name.join('.')}${label === undefined ? '' : ` "${label}"`}, got ${this.describe(this.tok)}`,
    );
  }

  private static readonly PRECEDENCE: Record<string, number> = {
    '||': 1,
    '&&': 2,
    '==': 3,
    '!=': 3,
    '<': 3,
    '<=': 3,
    '>': 3,
    '>=': 3,
    '+': 4,
    '-': 4,
    '*': 5,
    '/': 5,
    '%': 5,
  };

  /** Every recursive step goes through here, so a hostile config cannot exhaust the stack. */
  private nested(parse: () => void): void {
    if (++this.depth > MAX_NESTING) this.fail(`nesting deeper than ${MAX_NESTING} levels`);
    parse();
    this.depth -= 1;
  }

  private parseExpression(minPrecedence = 1): void {
    this.nested(() => {
      this.parsePower();
      for (;;) {
        const precedence = this.tok.kind === 'punct' ? Parser.PRECEDENCE[this.tok.text] : undefined;
        if (precedence === undefined || precedence < minPrecedence) return;
        this.next();
        this.parseExpression(precedence + 1);
      }
    });
  }

  private parsePower(): void {
    this.parseUnary();
    if (this.is('^')) {
      this.next();
      this.nested(() => this.parsePower());
    }
  }

  private parseUnary(): void {
    if (this.is('!') || this.is('-')) {
      this.next();
      this.nested(() => this.parseUnary());
      return;
    }
    this.parseOperand();
  }

  /** PrimaryExpr { "." ident | "[" Expression "]" | "(" args ")" } */
  private parseOperand(): void {
    const first = this.tok;
    let path: string[] | undefined;
    if (first.kind === 'ident' && !['true', 'false', 'null'].includes(first.text)) {
      this.next();
      path = [first.text];
    } else {
      this.parsePrimary();
    }
    for (;;) {
      if (this.is('.')) {
        this.next();
        if (this.tok.kind !== 'ident') this.fail(`expected a field name after ".", got ${this.describe(this.tok)}`);
        const field = this.next().text;
        path?.push(field);
      } else if (this.is('[')) {
        this.flushReference(path, first.line, false);
        path = undefined;
        this.next();
        this.parseExpression();
        if (!this.is(']')) this.fail(`expected "]" to close the index, got ${this.describe(this.tok)}`);
        this.next();
      } else if (this.is('(')) {
        this.flushReference(path, first.line, true);
        path = undefined;
        this.next();
        this.parseList(')', 'argument list');
      } else {
        this.flushReference(path, first.line, false);
        return;
      }
    }
  }

  private flushReference(path: string[] | undefined, line: number, call: boolean): void {
    if (path) this.references.push({ path, line, call });
  }

  private parsePrimary(): void {
    const t = this.tok;
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'ident') {
      this.next();
      return;
    }
    if (this.is('(')) {
      this.next();
      this.parseExpression();
      if (!this.is(')')) this.fail(`expected ")", got ${this.describe(this.tok)}`);
      this.next();
      return;
    }
    if (this.is('[')) {
      this.next();
      this.parseList(']', 'array');
      return;
    }
    if (this.is('{')) {
      this.next();
      this.parseObjectFields();
      return;
    }
    this.fail(`expected an expression, got ${this.describe(t)}`);
  }

  /** Expression { "," Expression } [ "," ] up to the closer, which it consumes. */
  private parseList(closer: string, what: string): void {
    const opened = this.tokens[this.pos - 1].line;
    while (!this.is(closer)) {
      if (this.tok.kind === 'eof') this.fail(`missing "${closer}" for the ${what} opened on line ${opened}`);
      this.parseExpression();
      this.expectSeparator(closer, what, opened);
    }
    this.next();
  }

  /** Field { "," Field } [ "," ], Field = (identifier | string) "=" Expression. */
  private parseObjectFields(): void {
    const opened = this.tokens[this.pos - 1].line;
    const keys = new Set<string>();
    while (!this.is('}')) {
      if (this.tok.kind === 'eof') this.fail(`missing "}" for the object opened on line ${opened}`);
      if (this.tok.kind !== 'ident' && this.tok.kind !== 'string')
        this.fail(`expected an object key, got ${this.describe(this.tok)}`);
      const key = this.next();
      if (keys.has(key.text)) this.fail(`object key "${key.text}" appears twice`, key.line);
      keys.add(key.text);
      if (!this.is('=')) this.fail(`expected "=" after object key "${key.text}", got ${this.describe(this.tok)}`);
      this.next();
      this.parseExpression();
      this.expectSeparator('}', 'object', opened);
    }
    this.next();
  }

  private expectSeparator(closer: string, what: string, opened: number): void {
    if (this.is(',')) {
      this.next();
      return;
    }
    if (this.is(closer)) return;
    if (this.tok.kind === 'terminator') {
      this.fail(
        `missing "," before the newline in the ${what} opened on line ${opened} (the last element needs a trailing comma when "${closer}" is on its own line)`,
      );
    }
    if (this.tok.kind === 'eof') this.fail(`missing "${closer}" for the ${what} opened on line ${opened}`);
    this.fail(`expected "," or "${closer}" in the ${what}, got ${this.describe(this.tok)}`);
  }
}

export function isValidIdentifier(s: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(s);
}

function blockTitle(b: { name: string[]; label?: string }): string {
  return b.label === undefined ? b.name.join('.') : `${b.name.join('.')} "${b.label}"`;
}

/**
 * First segments that name the standard library, not a component
 * (Alloy's standard library, including the deprecated unprefixed functions;
 * source in docs/runner.md, "Upstream formats"), plus `argument`, which a `declare` body reads.
 */
const NOT_COMPONENTS = new Set([
  'constants',
  'coalesce',
  'json_path',
  'sys',
  'convert',
  'array',
  'encoding',
  'string',
  'file',
  'env',
  'nonsensitive',
  'concat',
  'json_decode',
  'yaml_decode',
  'base64_decode',
  'format',
  'join',
  'replace',
  'split',
  'to_lower',
  'to_upper',
  'trim',
  'trim_prefix',
  'trim_suffix',
  'trim_space',
  'argument',
]);

/** Components: labelled blocks at the top level and inside `declare` bodies. */
function collectComponents(
  blocks: Block[],
  problems: AlloyProblem[],
  declared: Set<string>,
  foreachVars: Set<string>,
): void {
  const seen = new Map<string, number>();
  for (const block of blocks) {
    if (block.label !== undefined) {
      const key = `${block.name.join('.')}.${block.label}`;
      const first = seen.get(key);
      if (first !== undefined)
        problems.push({
          line: block.line,
          message: `duplicate component ${blockTitle(block)} (first declared on line ${first})`,
        });
      else seen.set(key, block.line);
      declared.add(key);
    }
    if (block.name.join('.') === 'declare') collectComponents(block.blocks, problems, declared, foreachVars);
    collectForeachVars(block, foreachVars);
  }
}

function collectForeachVars(block: Block, vars: Set<string>): void {
  if (block.name.join('.') === 'foreach') {
    const name = block.stringAttributes.get('var');
    if (name) vars.add(name);
  }
  for (const child of block.blocks) collectForeachVars(child, vars);
}

function resolves(path: string[], declared: Set<string>): boolean {
  // <component name parts>.<label>[.<export>...]: any split point may be the label.
  for (let labelAt = 1; labelAt < path.length; labelAt += 1) {
    if (declared.has(path.slice(0, labelAt + 1).join('.'))) return true;
  }
  return false;
}

/** Problems in one Alloy configuration, sorted by line; empty when it is sound. */
export function checkAlloy(text: string): AlloyProblem[] {
  let blocks: Block[];
  let references: Reference[];
  try {
    const parser = new Parser(scan(text));
    blocks = parser.parseFile();
    references = parser.references;
  } catch (error) {
    if (error instanceof AlloySyntaxError) return [{ line: error.line, message: error.message }];
    throw error;
  }

  const problems: AlloyProblem[] = [];
  const declared = new Set<string>();
  const foreachVars = new Set<string>();
  collectComponents(blocks, problems, declared, foreachVars);
  for (const ref of references) {
    const [head] = ref.path;
    if (NOT_COMPONENTS.has(head) || foreachVars.has(head)) continue;
    if (ref.call) {
      problems.push({ line: ref.line, message: `unknown function ${ref.path.join('.')}` });
    } else if (ref.path.length >= 2 && !resolves(ref.path, declared)) {
      problems.push({
        line: ref.line,
        message: `reference ${ref.path.join('.')} does not resolve to a declared component`,
      });
    }
  }
  return problems.sort((a, b) => a.line - b.line || a.message.localeCompare(b.message));
}
