// A real LSP client: vscode-jsonrpc (the protocol library VS Code uses) starts `axon lsp` over stdio.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const rpc = require('vscode-jsonrpc/node');

function serverCommand() {
  const dll = process.env.AXON_LSP_DLL || path.resolve(__dirname, '../../../src/Axon.Cli/bin/Debug/net10.0/axon.dll');
  if (process.env.AXON_LSP_COMMAND) return { command: process.env.AXON_LSP_COMMAND, args: ['lsp'] };
  assert.ok(fs.existsSync(dll), `axon.dll not found at ${dll}: build src/Axon.Cli or set AXON_LSP_DLL`);
  return { command: 'dotnet', args: [dll, 'lsp'] };
}

const uri = 'file:///project/mistakes.axon';
const text = [
  'persona Analyst {',            // 0
  '  tone: grumpy',               // 1
  '}',                            // 2
  'context Deep { depth: deep }', // 3
  'flow Review(doc: Document) -> Summary {', // 4
  '  step Read {',                // 5
  '    given: doc',               // 6
  '    ask: "Summarize {{doc}}"', // 7
  '    output: Summary',          // 8
  '  }',                          // 9
  '  step Check {',               // 10
  '    given: Read.output',       // 11
  '    ask: "Check it"',          // 12
  '    output: Summary',          // 13
  '  }',                          // 14
  '}',                            // 15
  'run Review(report) as Analyst within Deep effort: extreme', // 16
  '',
].join('\n');

let proc, conn, stderr = '';
const published = [];
let onPublished = () => {};

before(async () => {
  const { command, args } = serverCommand();
  proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stderr.on('data', (d) => { stderr += d; });
  conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  conn.onNotification('textDocument/publishDiagnostics', (p) => { published.push(p); onPublished(); });
  conn.listen();
  const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  assert.equal(init.capabilities.textDocumentSync.change, 2);
  await conn.sendNotification('initialized', {});
});

after(async () => {
  if (!conn) return;
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  conn.dispose();
  assert.equal(code, 0, `axon lsp exited with ${code}: ${stderr}`);
});

function diagnostics(version, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const find = () => published.find((p) => p.uri === uri && p.version === version);
    const timer = setTimeout(() => reject(new Error(`no diagnostics v${version}; got ${JSON.stringify(published)}; stderr: ${stderr}`)), timeoutMs);
    const check = () => { const p = find(); if (p) { clearTimeout(timer); onPublished = () => {}; resolve(p.diagnostics); } };
    onPublished = check;
    check();
  });
}

const at = (line, character) => ({ textDocument: { uri }, position: { line, character } });

test('a document with mistakes gets the front end\'s diagnostics, then none once fixed', async () => {
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'axon', version: 1, text } });
  const diags = await diagnostics(1);
  const codes = diags.map((d) => d.code);
  assert.deepEqual(codes.sort(), ['AXN2002', 'AXN2033']);
  const tone = diags.find((d) => d.code === 'AXN2002');
  assert.equal(tone.severity, 1);
  assert.equal(tone.source, 'axon');
  assert.match(tone.message, /Unknown tone 'grumpy'/);
  // On the offending value: line 1, "  tone: |grumpy".
  assert.deepEqual(tone.range.start, { line: 1, character: 8 });

  // Incremental edits: grumpy → precise, extreme → high.
  const line16 = text.split('\n')[16];
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [
      { range: { start: { line: 16, character: line16.indexOf('extreme') }, end: { line: 16, character: line16.indexOf('extreme') + 7 } }, text: 'high' },
      { range: { start: { line: 1, character: 8 }, end: { line: 1, character: 14 } }, text: 'precise' },
    ],
  });
  assert.deepEqual(await diagnostics(2), []);
});

test('hover shows what a name is', async () => {
  const step = await conn.sendRequest('textDocument/hover', at(11, 12));
  assert.equal(step.contents.kind, 'markdown');
  assert.match(step.contents.value, /step Read/);
  assert.match(step.contents.value, /Summarize \{\{doc\}\}/);
  const flow = await conn.sendRequest('textDocument/hover', at(16, 6));
  assert.match(flow.contents.value, /flow Review\(doc: Document\) -> Summary/);
  const builtin = await conn.sendRequest('textDocument/hover', at(4, 20));
  assert.match(builtin.contents.value, /Built-in semantic type/);
});

test('definition and references', async () => {
  const def = await conn.sendRequest('textDocument/definition', at(11, 12));
  assert.equal(def.length, 1);
  assert.equal(def[0].uri, uri);
  assert.deepEqual(def[0].range.start, { line: 5, character: 7 });
  const refs = await conn.sendRequest('textDocument/references', { ...at(4, 13), context: { includeDeclaration: true } });
  // The parameter, `given: doc` and `{{doc}}`.
  assert.deepEqual(refs.map((r) => r.range.start.line).sort((a, b) => a - b), [4, 6, 7]);
});

test('completion offers field values and declared names', async () => {
  const tone = await conn.sendRequest('textDocument/completion', at(1, 8));
  const toneLabels = tone.items.map((i) => i.label);
  for (const v of ['analytical', 'precise', 'diplomatic']) assert.ok(toneLabels.includes(v), toneLabels.join());
  const line16 = text.split('\n')[16];
  const persona = await conn.sendRequest('textDocument/completion', at(16, line16.indexOf('Analyst')));
  assert.deepEqual(persona.items.map((i) => i.label), ['Analyst']);
  const given = await conn.sendRequest('textDocument/completion', at(11, 11));
  const givenLabels = given.items.map((i) => i.label);
  assert.ok(givenLabels.includes('doc') && givenLabels.includes('Read.output'), givenLabels.join());
});

test('rename edits the declaration and every use', async () => {
  const edit = await conn.sendRequest('textDocument/rename', { ...at(5, 8), newName: 'Load' });
  const edits = edit.changes[uri];
  assert.deepEqual(edits.map((e) => [e.range.start.line, e.range.start.character]).sort(), [[11, 11], [5, 7]].sort());
  assert.ok(edits.every((e) => e.newText === 'Load'));
  await assert.rejects(conn.sendRequest('textDocument/rename', { ...at(5, 8), newName: '9lives' }), /not a valid AXON name/);
});

test('bad requests get error responses and the server keeps serving', async () => {
  await assert.rejects(conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nope.axon' }, position: { line: 0, character: 0 } }), /Unknown document/);
  await assert.rejects(conn.sendRequest('textDocument/hover', at(900, 0)), /outside the document/);
  await assert.rejects(conn.sendRequest('axon/noSuchMethod', {}), (e) => e.code === -32601);
  const still = await conn.sendRequest('textDocument/hover', at(3, 9));
  assert.match(still.contents.value, /context Deep/);
});
