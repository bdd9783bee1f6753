// The TextMate grammar through VS Code's own tokeniser (vscode-textmate + vscode-oniguruma), on every .axon file
// of the repository: a snapshot of the scopes of every token, and no token of a valid program left unscoped.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const repo = path.resolve(__dirname, '../../..');
const snapshotPath = path.join(__dirname, 'grammar.snapshot.txt');

function axonFiles(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || ['node_modules', 'bin', 'obj', 'TestResults', 'artifacts'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) axonFiles(full, out);
    else if (entry.name.endsWith('.axon')) out.push(full);
  }
  return out;
}

// A file is a valid program unless the conformance corpus says otherwise (its .expected.json verdict).
function isValid(file) {
  const expected = file.replace(/\.axon$/, '.expected.json');
  return fs.existsSync(expected) ? JSON.parse(fs.readFileSync(expected, 'utf8')).valid === true : true;
}

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => scope === 'source.axon'
      ? vsctm.parseRawGrammar(fs.readFileSync(path.join(__dirname, '../syntaxes/axon.tmLanguage.json'), 'utf8'), 'axon.tmLanguage.json')
      : null,
  });
  return registry.loadGrammar('source.axon');
}

function tokenize(grammar, text) {
  const result = [];
  let stack = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const piece = line.substring(t.startIndex, t.endIndex);
      if (piece.trim() === '') continue;
      result.push({ line: i + 1, column: t.startIndex + 1, text: piece, scopes: t.scopes.slice(1) });
    }
    stack = r.ruleStack;
  });
  return result;
}

// The snapshot covers the conformance corpus (the reference's programs, which do not change); every other
// .axon file of the repository is held to the invariants only, so adding a sample does not break the snapshot.
const snapshotted = (rel) => rel.startsWith('tests/Axon.Language.Tests/Conformance/reference/');

test('every .axon file tokenises; scopes match the snapshot; valid programs have no unscoped or illegal token', async () => {
  const grammar = await loadGrammar();
  const files = axonFiles(repo).sort();
  assert.ok(files.length >= 50, `only ${files.length} .axon files found under ${repo}`);
  const lines = [];
  const problems = [];
  for (const file of files) {
    const rel = path.relative(repo, file).split(path.sep).join('/');
    const tokens = tokenize(grammar, fs.readFileSync(file, 'utf8'));
    if (snapshotted(rel)) {
      lines.push(`== ${rel}`);
      for (const t of tokens) lines.push(`${t.line}:${t.column}\t${JSON.stringify(t.text)}\t${t.scopes.join(' ')}`);
    }
    if (!isValid(file)) continue;
    for (const t of tokens) {
      if (t.scopes.length === 0) problems.push(`${rel}:${t.line}:${t.column} ${JSON.stringify(t.text)} has no scope`);
      else if (t.scopes.some((s) => s.startsWith('invalid.'))) problems.push(`${rel}:${t.line}:${t.column} ${JSON.stringify(t.text)} is marked ${t.scopes.join(' ')}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(lines.length > 1000, 'the conformance corpus was not found');
  const snapshot = lines.join('\n') + '\n';
  if (process.env.UPDATE_SNAPSHOTS === '1' || !fs.existsSync(snapshotPath)) {
    fs.writeFileSync(snapshotPath, snapshot);
    if (process.env.CI) assert.fail('grammar.snapshot.txt was missing; it has been written, commit it');
    return;
  }
  const expected = fs.readFileSync(snapshotPath, 'utf8');
  if (snapshot !== expected) {
    const a = expected.split('\n'), b = snapshot.split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    assert.fail(`scopes differ from test/grammar.snapshot.txt at line ${i + 1}:\n  expected: ${a[i]}\n  actual:   ${b[i]}\n(UPDATE_SNAPSHOTS=1 npm test rewrites the snapshot)`);
  }
});

test('the scopes of a program that uses every construct of the grammar', async () => {
  const grammar = await loadGrammar();
  const source = [
    '// line comment',
    '/* block */ persona Analyst { tone: precise confidence_threshold: 0.8 cite_sources: true }',
    'type Score(0.0..1.0)',
    'tool Web { timeout: 10s }',
    'flow Review(doc: Document) -> Summary {',
    '  step Read { ask: "In {{doc}} say \\"hi\\"\\n" output: FactualClaim }',
    '}',
    'run Review(report) as Analyst',
  ].join('\n');
  const tokens = tokenize(grammar, source);
  const scopeOf = (text, nth = 0) => {
    const found = tokens.filter((t) => t.text === text)[nth];
    assert.ok(found, `no token ${text}`);
    return found.scopes.join(' ');
  };
  assert.match(scopeOf('// line comment'), /comment\.line\.double-slash/);
  assert.match(scopeOf('/*'), /comment\.block/);
  assert.match(scopeOf('persona'), /storage\.type\.persona/);
  assert.match(scopeOf('Analyst'), /entity\.name\.type\.persona/);
  assert.match(scopeOf('tone'), /variable\.other\.property/);
  assert.match(scopeOf('0.8'), /constant\.numeric/);
  assert.match(scopeOf('true'), /constant\.language\.boolean/);
  assert.match(scopeOf('..'), /keyword\.operator\.range/);
  assert.match(scopeOf('10s'), /constant\.numeric\.duration/);
  assert.match(scopeOf('Review'), /entity\.name\.function\.flow/);
  assert.match(scopeOf('Document'), /support\.type\.builtin/);
  assert.match(scopeOf('->'), /keyword\.operator\.arrow/);
  assert.match(scopeOf('Read'), /entity\.name\.function\.step/);
  assert.match(scopeOf('{{'), /string\.quoted\.double.*punctuation\.definition\.placeholder/);
  assert.match(scopeOf('doc', 1), /variable\.other\.placeholder/);
  assert.match(scopeOf('\\"'), /constant\.character\.escape/);
  assert.match(scopeOf('run'), /keyword\.other\.run/);
  assert.match(scopeOf('Review', 1), /entity\.name\.function\.call/);
  assert.match(scopeOf('as'), /keyword\.other/);
});
