// Parses the architecture diagram of every README given, with Mermaid itself (its flowchart
// grammar, in jsdom's DOM), and checks that Mermaid reads what the README wrote: as many nodes,
// subgraphs and arrows as its lines declare, every node and subgraph with its label, and every
// arrow with its label between two declared nodes.
//
//   node tests/mermaid/check.mjs RESULTS README.md...
//
// Writes one "PASSED|FAILED<TAB>message" line per README to RESULTS (tests/run.sh counts them).

import { appendFileSync, readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

const [results, ...readmes] = process.argv.slice(2);
if (!results || readmes.length === 0) {
  console.error("usage: node check.mjs RESULTS README.md...");
  process.exit(2);
}

/** What the README's lines declare: node IDs, subgraph IDs, and arrows. */
function declared(text) {
  const nodes = [];
  const subgraphs = [];
  const edges = [];
  for (const raw of text.split("\n").slice(1)) {
    const line = raw.trim();
    let m;
    if ((m = /^subgraph ([A-Za-z]\w*)\["/.exec(line))) {
      subgraphs.push(m[1]);
    } else if ((m = /^([A-Za-z]\w*) -->\|"(.*)"\| ([A-Za-z]\w*)$/.exec(line))) {
      edges.push({ from: m[1], to: m[3], label: m[2] });
    } else if ((m = /^([A-Za-z]\w*)[[({]/.exec(line))) {
      nodes.push(m[1]);
    } else if (line !== "end" && line !== "") {
      throw new Error(`a line the check does not know: ${line}`);
    }
  }
  return { nodes, subgraphs, edges };
}

function check(path) {
  const readme = readFileSync(path, "utf8");
  const start = readme.indexOf("```mermaid\n");
  if (start < 0) return ["no Mermaid block"];
  const body = readme.slice(start + "```mermaid\n".length);
  const text = body.slice(0, body.indexOf("\n```"));
  return mermaid.parse(text).then(async () => {
    const problems = [];
    const want = declared(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    const vertices = db.getVertices();
    const ids = [...vertices.keys()];
    for (const id of want.nodes) {
      const v = vertices.get(id);
      if (!v) problems.push(`node ${id} is not in what Mermaid read`);
      else if (!v.text || v.text === id) problems.push(`node ${id} has no label`);
    }
    for (const id of ids) {
      if (!want.nodes.includes(id)) problems.push(`Mermaid read a node ${id} the README did not declare`);
    }
    const subgraphs = db.getSubGraphs();
    if (subgraphs.length !== want.subgraphs.length) {
      problems.push(`${subgraphs.length} subgraphs read, ${want.subgraphs.length} declared`);
    }
    for (const sg of subgraphs) {
      if (!sg.title || sg.title === sg.id) problems.push(`subgraph ${sg.id} has no label`);
    }
    const edges = db.getEdges();
    if (edges.length !== want.edges.length) {
      problems.push(`${edges.length} arrows read, ${want.edges.length} declared`);
    }
    edges.forEach((e, i) => {
      const w = want.edges[i];
      if (!w) return;
      if (e.start !== w.from || e.end !== w.to) {
        problems.push(`arrow ${i + 1} goes ${e.start} -> ${e.end}, declared ${w.from} -> ${w.to}`);
      }
      if (!e.text) problems.push(`arrow ${i + 1} (${w.from} -> ${w.to}) has no label`);
    });
    db.clear();
    return problems;
  });
}

let failed = 0;
for (const path of readmes) {
  let problems;
  try {
    problems = await check(path);
  } catch (e) {
    problems = [String(e && e.message ? e.message : e).split("\n").slice(0, 3).join(" ")];
  }
  if (problems.length === 0) {
    appendFileSync(results, `PASSED\tMermaid reads the diagram of ${path}\n`);
  } else {
    failed += 1;
    appendFileSync(results, `FAILED\tMermaid diagram of ${path}: ${problems.join("; ")}\n`);
  }
}
console.log(`${readmes.length - failed} of ${readmes.length} diagrams read as written`);
