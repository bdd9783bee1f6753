// The AXON extension: highlighting comes from the TextMate grammar; everything else from `axon lsp`,
// started over stdio through vscode-languageclient.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

async function activate(context) {
  const config = vscode.workspace.getConfiguration('axon');
  const command = config.get('server.path') || 'axon';
  const args = [...(config.get('server.args') || []), 'lsp'];
  const executable = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient('axon', 'AXON language server', { run: executable, debug: executable }, {
    documentSelector: [{ scheme: 'file', language: 'axon' }, { scheme: 'untitled', language: 'axon' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.axon') },
  });
  try {
    await client.start();
  } catch (err) {
    // Most often: the axon tool is not installed or not on PATH.
    vscode.window.showErrorMessage(`AXON: could not start '${command} ${args.join(' ')}' (${err && err.message ? err.message : err}). ` +
      'Install the axon tool (dotnet tool install Axon.Cli) or set "axon.server.path".');
  }
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
