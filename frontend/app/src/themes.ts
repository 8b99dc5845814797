// The theme scheme as a tree (themes by notation, each under its broader theme).
export interface ThemeNode {
  iri: string;
  label: string;
  notation?: string | null;
  children: ThemeNode[];
}

interface FlatTheme {
  iri: string;
  label: string;
  notation?: string | null;
  broader: { nodes: { iri: string }[] };
}

export function themeTree(themes: FlatTheme[]): ThemeNode[] {
  const nodes = new Map<string, ThemeNode>();
  for (const theme of themes) nodes.set(theme.iri, { iri: theme.iri, label: theme.label, notation: theme.notation, children: [] });
  const roots: ThemeNode[] = [];
  for (const theme of themes) {
    const node = nodes.get(theme.iri)!;
    const parent = theme.broader.nodes.map((b) => nodes.get(b.iri)).find((p) => p !== undefined);
    (parent ? parent.children : roots).push(node);
  }
  const byNotation = (a: ThemeNode, b: ThemeNode) =>
    (a.notation ?? a.label).localeCompare(b.notation ?? b.label, undefined, { numeric: true });
  const sort = (list: ThemeNode[]) => {
    list.sort(byNotation);
    list.forEach((node) => sort(node.children));
  };
  sort(roots);
  return roots;
}
