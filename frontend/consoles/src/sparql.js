// The SPARQL editor at /sparql: a CodeMirror editor over the form's textarea, the example
// queries one click away, and the answer in the page (SELECT/ASK as a table, graphs as Turtle).
// Without scripts the form still works: it submits to the endpoint and the browser shows the file.
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  StreamLanguage,
  syntaxHighlighting,
} from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import "./pages.css";

const form = document.getElementById("sparql-form");
const textarea = document.getElementById("query");
const format = document.getElementById("format");
const status = document.getElementById("status");
const results = document.getElementById("results");
const examples = JSON.parse(document.getElementById("example-queries").textContent);
const idNamespace = form.dataset.idNamespace;
const base = form.dataset.base;

const editor = new EditorView({
  parent: textarea.parentElement,
  state: EditorState.create({
    doc: textarea.value,
    extensions: [
      lineNumbers(),
      history(),
      highlightActiveLine(),
      bracketMatching(),
      StreamLanguage.define(sparql),
      syntaxHighlighting(defaultHighlightStyle),
      // Tab is left to the browser, so the keyboard can leave the editor; Ctrl+Enter runs
      keymap.of([{ key: "Mod-Enter", run: () => (run(), true) }, ...defaultKeymap, ...historyKeymap]),
      EditorView.contentAttributes.of({
        "aria-label": "SPARQL query (Ctrl+Enter runs it)",
        "aria-multiline": "true",
        tabindex: "0", // focusable for axe too, so the scrolling editor counts as reachable
      }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) textarea.value = update.state.doc.toString();
      }),
    ],
  }),
});
textarea.hidden = true;
document.getElementById("query-label").addEventListener("click", () => editor.focus());

function setQuery(text) {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
}

function localHref(iri) {
  return iri.startsWith(idNamespace) ? base + "/id/" + iri.slice(idNamespace.length) : iri;
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const a = document.createElement("a");
    a.href = localHref(term.value);
    a.textContent = term.value;
    td.append(a);
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else {
    td.append(term.value);
    const note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? shortType(term.datatype) : "";
    if (note) {
      const small = document.createElement("span");
      small.className = "type";
      small.textContent = note;
      td.append(small);
    }
  }
  return td;
}

function shortType(datatype) {
  const xsd = "http://www.w3.org/2001/XMLSchema#";
  return datatype.startsWith(xsd) ? "xsd:" + datatype.slice(xsd.length) : datatype;
}

function showTable(data, truncated) {
  results.replaceChildren();
  if (data.boolean !== undefined) {
    const p = document.createElement("p");
    p.textContent = "Answer: " + (data.boolean ? "yes (true)" : "no (false)");
    results.append(p);
    return "ASK answered";
  }
  const vars = data.head.vars;
  const rows = data.results.bindings;
  const table = document.createElement("table");
  const caption = document.createElement("caption");
  caption.textContent = `${rows.length} row${rows.length === 1 ? "" : "s"}` + (truncated ? " (cut at the endpoint's cap)" : "");
  const head = document.createElement("tr");
  for (const name of vars) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = "?" + name;
    head.append(th);
  }
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const name of vars) tr.append(cell(row[name]));
    tbody.append(tr);
  }
  table.append(caption, thead, tbody);
  results.append(table);
  return caption.textContent;
}

function showGraph(text) {
  results.replaceChildren();
  const pre = document.createElement("pre");
  pre.className = "graph";
  pre.tabIndex = 0; // scrollable: reachable with the keyboard
  pre.setAttribute("aria-label", "the graph, in Turtle");
  pre.textContent = text;
  results.append(pre);
  return "graph in Turtle";
}

async function run() {
  status.className = "status";
  status.textContent = "Running…";
  results.setAttribute("aria-busy", "true");
  const started = performance.now();
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: new URLSearchParams({ query: editor.state.doc.toString() }),
    });
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      status.className = "status error";
      status.textContent = `Error ${response.status}: ${(await response.text()).trim()}`;
      results.replaceChildren();
      return;
    }
    const truncated = response.headers.has("X-SPARQL-Truncated");
    const what = type.includes("json")
      ? showTable(await response.json(), truncated)
      : showGraph(await response.text());
    status.textContent = `${what}, in ${Math.round(performance.now() - started)} ms`;
  } catch (error) {
    status.className = "status error";
    status.textContent = "The endpoint could not be reached: " + error.message;
  } finally {
    results.removeAttribute("aria-busy");
  }
}

form.addEventListener("submit", (event) => {
  if (format.value !== "json") return; // another format: the browser opens or downloads it
  event.preventDefault();
  run();
});

for (const button of document.querySelectorAll("button[data-example]")) {
  button.addEventListener("click", () => {
    setQuery(examples[button.dataset.example]);
    format.value = "json";
    run();
  });
}

// /sparql#example=07-practices-per-region (the dataset page links each example so)
const linked = new URLSearchParams(window.location.hash.slice(1)).get("example");
if (linked && examples[linked]) {
  setQuery(examples[linked]);
  run();
}
