// GraphiQL 4's markup, completed for assistive technology: names for CodeMirror's hidden
// textareas, tabs that are the buttons themselves (not a button inside a tab), scrollable
// editors that the keyboard can reach, and editors that Tab leaves (CodeMirror indents with
// it by default, a keyboard trap; Ctrl+] and Ctrl+[ still indent). Re-applied whenever React
// re-renders a part.
const EDITOR_NAMES = [
  [".graphiql-query-editor", "Query editor"],
  [".graphiql-editor-tool .graphiql-editor:nth-child(1)", "Variables editor"],
  [".graphiql-editor-tool .graphiql-editor:nth-child(2)", "Headers editor"],
  [".result-window", "Response"],
];

function set(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

function complete(root) {
  for (const [selector, label] of EDITOR_NAMES) {
    for (const editor of root.querySelectorAll(selector)) {
      for (const textarea of editor.querySelectorAll(".CodeMirror textarea")) set(textarea, "aria-label", label);
      for (const scroll of editor.querySelectorAll(".CodeMirror-scroll")) {
        set(scroll, "tabindex", "0");
        set(scroll, "aria-label", label + " (scroll area)");
        set(scroll, "role", "region");
      }
    }
  }
  for (const tab of root.querySelectorAll("li.graphiql-tab")) {
    const button = tab.querySelector("button.graphiql-tab-button");
    if (!button) continue;
    set(button, "role", "tab");
    set(button, "aria-selected", String(tab.classList.contains("graphiql-tab-active")));
    set(tab, "role", "presentation");
    if (tab.hasAttribute("aria-selected")) tab.removeAttribute("aria-selected");
  }
}

// Tab and Shift+Tab never reach CodeMirror (caught on the way down, before its own handler),
// so the browser moves the focus; GraphiQL resets the editors' key maps as it re-renders.
function leaveWithTab(event) {
  if (event.key !== "Tab" || event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.target instanceof Element && event.target.closest(".CodeMirror")) event.stopPropagation();
}

export function completeAccessibility(root) {
  root.addEventListener("keydown", leaveWithTab, true);
  complete(root);
  new MutationObserver(() => complete(root)).observe(root, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["role", "aria-selected", "class"],
  });
}
