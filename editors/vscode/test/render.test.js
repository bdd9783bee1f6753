// A picture: a program highlighted through the TextMate grammar by shiki (the highlighter VS Code's own
// grammars are reused by), written as an HTML page, then screenshotted by headless Chromium.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const out = path.join(__dirname, 'out');
const sample = path.resolve(__dirname, '../../../samples/ContractAnalyzer/Axon/contract_review.axon');

function chromium() {
  const names = process.env.CHROMIUM ? [process.env.CHROMIUM] : ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  for (const name of names) {
    if (path.isAbsolute(name) && fs.existsSync(name)) return name;
    for (const dir of (process.env.PATH || '').split(path.delimiter)) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  assert.fail('Chromium is not installed (apt-get install -y chromium), or set CHROMIUM');
}

test('shiki renders a program through the grammar, and Chromium takes a screenshot of it', async () => {
  const { createHighlighter } = await import('shiki');
  const grammar = JSON.parse(fs.readFileSync(path.join(__dirname, '../syntaxes/axon.tmLanguage.json'), 'utf8'));
  const highlighter = await createHighlighter({ themes: ['github-light'], langs: [{ ...grammar, name: 'axon' }] });
  const code = fs.readFileSync(sample, 'utf8');
  const html = highlighter.codeToHtml(code, { lang: 'axon', theme: 'github-light' });

  // Keywords, names, strings, numbers and comments come out in different colours.
  const colourOf = (text) => {
    const m = html.match(new RegExp(`<span style="color:(#[0-9A-Fa-f]{6})">\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</span>`));
    assert.ok(m, `no coloured span for ${text}`);
    return m[1].toUpperCase();
  };
  const colours = new Set([colourOf('persona'), colourOf('LegalExpert'), colourOf('"en"'), colourOf('0.8'), colourOf('// Contract review: who signs, what is risky, and what to do about it.')]);
  assert.ok(colours.size >= 4, `only ${colours.size} distinct colours: ${[...colours]}`);

  fs.mkdirSync(out, { recursive: true });
  const page = path.join(out, 'axon-highlight.html');
  fs.writeFileSync(page, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>contract_review.axon</title>
<style>body{margin:0;padding:16px;background:#fff;font:14px/1.45 monospace} pre{margin:0;padding:12px;border:1px solid #ddd}</style></head>
<body>${html}</body></html>`);

  const png = path.join(out, 'axon-highlight.png');
  fs.rmSync(png, { force: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-chromium-'));
  const r = spawnSync(chromium(), ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', `--user-data-dir=${profile}`, '--hide-scrollbars',
    `--screenshot=${png}`, '--window-size=1000,1700', 'file://' + page], { timeout: 120000, encoding: 'utf8' });
  fs.rmSync(profile, { recursive: true, force: true });
  assert.ok(fs.existsSync(png), `no screenshot (exit ${r.status}): ${r.stderr}`);
  const bytes = fs.readFileSync(png);
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(bytes.readUInt32BE(16), 1000); // IHDR width
  assert.equal(bytes.readUInt32BE(20), 1700); // IHDR height
  assert.ok(bytes.length > 30000, `screenshot is only ${bytes.length} bytes: an empty page?`);
});
