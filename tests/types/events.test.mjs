// The host events have one list: the constants of `src/host.rs` (`pub mod event`, with the
// payload in each doc comment), plus `asm:error`, which the loader sends. The guide's events
// table (docs/embedding.md) and the shipped declarations (loader/asm-overlay.d.ts, AsmEventMap)
// must name the same events with the same payload fields. Part of `npm run test:types`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file) => readFileSync(path.join(ROOT, file), 'utf8');

/** `{a, b}` / `{ a, b }` → ['a', 'b'] (sorted); no braces → []. */
const fields = (braces) =>
  braces ? braces.replace(/[{}\s]/g, '').split(',').filter(Boolean).sort() : [];

/** host.rs: event name → payload fields from the doc comment above its constant. */
function fromHost() {
  const src = read('src/host.rs');
  const block = src.slice(src.indexOf('pub mod event {'));
  const body = block.slice(0, block.indexOf('\n}\n'));
  const events = new Map();
  let doc = '';
  for (const line of body.split('\n')) {
    const comment = /^\s*\/\/\/ ?(.*)$/.exec(line);
    if (comment) { doc += ' ' + comment[1]; continue; }
    const constant = /pub const \w+: &str = "(asm:[a-z-]+)";/.exec(line);
    if (constant) {
      events.set(constant[1], fields(/`(\{[^`]*\})`/.exec(doc)?.[1]));
      doc = '';
    }
  }
  // The loader's own event (the bundle failed to load).
  const loader = read('loader/asm-loader.js');
  assert.match(loader, /new CustomEvent\('asm:error', \{ detail: \{ message: /);
  events.set('asm:error', ['message']);
  return events;
}

/** docs/embedding.md: the Events table, event → fields of its `detail` column. */
function fromGuide() {
  const md = read('docs/embedding.md');
  const section = md.slice(md.indexOf('## Events'), md.indexOf('## `window.asmOverlay`'));
  const events = new Map();
  for (const row of section.matchAll(/^\| `(asm:[a-z-]+)` \| (.*)\|$/gm)) {
    events.set(row[1], fields(/^`(\{[^`]*\})`/.exec(row[2].trim())?.[1]));
  }
  return events;
}

/** asm-overlay.d.ts: AsmEventMap, event → fields of its CustomEvent's detail type. */
function fromDeclarations() {
  const dts = read('loader/asm-overlay.d.ts');
  const interfaceFields = (name) => {
    const m = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(dts);
    assert.ok(m, `interface ${name} in asm-overlay.d.ts`);
    return [...m[1].matchAll(/^\s+(\w+)\??:/gm)].map((f) => f[1]).sort();
  };
  const map = /export interface AsmEventMap \{([\s\S]*?)\n\}/.exec(dts);
  assert.ok(map, 'AsmEventMap in asm-overlay.d.ts');
  const events = new Map();
  for (const entry of map[1].matchAll(/'(asm:[a-z-]+)': CustomEvent<(.*)>;/g)) {
    const type = entry[2].trim();
    let names;
    if (type === 'Record<string, never>') names = [];
    else if (type.startsWith('{')) names = [...type.matchAll(/(\w+)\??:/g)].map((f) => f[1]).sort();
    else names = interfaceFields(type);
    events.set(entry[1], names);
  }
  return events;
}

describe('host events', () => {
  const host = fromHost();

  it('host.rs names the events the overlay sends', () => {
    assert.ok(host.size >= 11, `${host.size} events in host.rs`);
    assert.deepEqual(host.get('asm:emulation-started'), ['cartId', 'customerId', 'email', 'name', 'sessionId']);
  });

  it('the guide lists the same events with the same payloads', () => {
    assert.deepEqual(Object.fromEntries(fromGuide()), Object.fromEntries(host));
  });

  it('the declarations type the same events with the same payloads', () => {
    assert.deepEqual(Object.fromEntries(fromDeclarations()), Object.fromEntries(host));
  });

  it('the overlay sends sessionId with asm:emulation-started', () => {
    const state = read('src/state.rs');
    const start = state.slice(state.indexOf('pub fn emulation_started'));
    const call = start.slice(0, start.indexOf(');'));
    for (const field of host.get('asm:emulation-started')) {
      assert.ok(call.includes(`("${field}",`), `emulation_started sends ${field}`);
    }
  });
});
